"""Terms of a Chinese text for matching without a word segmenter: overlapping pairs of characters inside runs of
Chinese characters (so 垃圾 in 一堆垃圾没人清理 meets 垃圾 in 暴露垃圾), and whole runs of letters or digits."""

from __future__ import annotations

import re

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
