"""Near-duplicate passages: the same news told twice must not fill an answer twice."""

from __future__ import annotations

import numpy as np

SHINGLE = 3
THRESHOLD = 0.5  # share of the shorter passage's shingles found in the other

Shingles = np.ndarray  # sorted, unique int64 hashes of the word trigrams


def shingles(text: str) -> Shingles:
    """Hashes of the word trigrams, as a sorted array.

    An array, not a set of ints: the search keeps thousands of these cached, and a set
    costs ~100 bytes per trigram where the array costs 8 (a 100k-passage index's cache
    was 200 MB as sets). Not folded: copies of one report carry the same diacritics, and
    folding every candidate costs more than the comparison itself.
    """
    words = text.lower().split()
    if len(words) < SHINGLE:
        grams = [hash(tuple(words))] if words else []
    else:
        grams = list(map(hash, zip(words, words[1:], words[2:], strict=False)))
    return np.unique(np.array(grams, dtype=np.int64))


def near_duplicate(a: Shingles, b: Shingles) -> bool:
    """Containment, not Jaccard: one report may be a shortened copy of the other."""
    if not len(a) or not len(b):
        return False
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / min(len(a), len(b)) >= THRESHOLD
