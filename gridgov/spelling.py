"""How Chinese text is spelled in letters, for matching what people type: its pinyin without tones and its
initials (东四十条8 → dongsishitiao8, dsst8; 暴露垃圾 → baolulaji, bllj)."""

from __future__ import annotations

import functools
import re

from pypinyin import lazy_pinyin

_CHINESE_OR_NOT = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")


def pinyin_spelling(text: str) -> tuple[str, str]:
    """The pinyin of ``text`` without tones and its initials; anything but Chinese characters (digits, letters)
    stays as it is. Spelled run by run of Chinese characters (names repeat: each run is spelled once)."""
    full: list[str] = []
    initials: list[str] = []
    for run in _CHINESE_OR_NOT.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            syllables = _run_pinyin(run)
            full += syllables
            initials += [syllable[:1] for syllable in syllables]
        else:
            full.append(run)
            initials.append(run)
    return "".join(full), "".join(initials)


@functools.lru_cache(maxsize=65536)
def _run_pinyin(run: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(run))
