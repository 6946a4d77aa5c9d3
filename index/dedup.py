"""Near-duplicate passages: the same news told twice must not fill an answer twice."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
SHINGLE = 3
THRESHOLD = 0.5  # share of the shorter passage's shingles found in the other


def shingles(text: str) -> frozenset[int]:
    """Hashes of the word trigrams (ints, not tuples: a cached set stays small).

    Not folded: copies of one report carry the same diacritics, and folding every
    candidate costs more than the comparison itself.
    """
    words = text.lower().split()
    if len(words) < SHINGLE:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(map(hash, zip(words, words[1:], words[2:], strict=False)))


def near_duplicate(a: frozenset[int], b: frozenset[int]) -> bool:
    """Containment, not Jaccard: one report may be a shortened copy of the other."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= THRESHOLD
