"""Near-duplicate passages: the same news told twice must not fill an answer twice."""

from __future__ import annotations

import re

from index.normalize import fold

_WORD = re.compile(r"\w+")
SHINGLE = 3
THRESHOLD = 0.5  # share of the shorter passage's shingles found in the other


def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(fold(text).lower())
    if len(words) < SHINGLE:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def near_duplicate(a: frozenset[int], b: frozenset[int]) -> bool:
    """Containment, not Jaccard: one report may be a shortened copy of the other."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= THRESHOLD
