"""Terms of a Chinese text for matching without a word segmenter: overlapping pairs of characters inside runs of
Chinese characters (so 垃圾 in 一堆垃圾没人清理 meets 垃圾 in 暴露垃圾), and whole runs of letters or digits."""

from __future__ import annotations

import re
import unicodedata

from gridgov.spelling import pinyin_spelling

_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]{2,}")
STOP = frozenset({"一个", "我们", "你们", "他们", "这个", "那个", "没有", "什么", "怎么", "可以", "请问", "现在"})


def bigrams(text: str) -> list[str]:
    terms = []
    for run in _RUNS.findall(text or ""):
        if run.isascii():
            terms.append(run.lower()[:4])
            continue
        terms += [run[index : index + 2] for index in range(len(run) - 1)]
    return [term for term in terms if term not in STOP]


# --- Addresses ---------------------------------------------------------------------------------------------------
#: Characters a caller often leaves out or adds (东四十条 / 东四十条路, 88 / 88号); dropped from both sides.
ADDRESS_OPTIONAL = str.maketrans("", "", "号路街道")
_NOT_KEY = re.compile(r"[^\u4e00-\u9fff0-9a-z#]+")
_NUMBER_THEN_NUMBER = re.compile(r"(?<=\d)号(?=\d)")


def address_key(text: str) -> str:
    """An address as the gazetteer compares it: full-width digits and letters made half-width (NFKC), lower case,
        without spaces, punctuation or the optional characters 号 路 街 道 (a 号 between two numbers, 88号3号楼, becomes
    # so that 88 and 3 stay apart)."""
    folded = _NOT_KEY.sub("", unicodedata.normalize("NFKC", text or "").lower())
    return _NUMBER_THEN_NUMBER.sub("#", folded).translate(ADDRESS_OPTIONAL)[:200]


def address_spelling(key: str) -> tuple[str, str]:
    """The pinyin of an address key without tones (东四十条8 → dongsishitiao8) and its initials (dsst8), as the
    gazetteer stores them."""
    full, initials = pinyin_spelling(key)
    return full[:400], initials[:200]
