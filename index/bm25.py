"""rank-bm25's BM25Okapi, compiled into a sparse term × passage weight matrix.

`BM25Okapi.get_scores` walks every passage in Python for every query term; at 100k
passages that is tens of milliseconds. The Okapi weight of a term in a passage does
not depend on the query, so we precompute it once: a query then only touches the
postings of its own terms. `tests/test_bm25.py` proves the scores are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# The defaults of rank_bm25.BM25Okapi.
K1, B, EPSILON = 1.5, 0.75, 0.25


@dataclass(frozen=True)
class CompiledBM25:
    matrix: sparse.csr_matrix  # rows: term ids, columns: passage positions, values: weights
    idf: np.ndarray  # per term id; 0 for terms no passage contains

    @property
    def n_passages(self) -> int:
        return self.matrix.shape[1]

    def scores(
        self, term_ids: Sequence[int], weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """BM25Okapi.get_scores for the query made of these term ids (repeats count).

        `weights` scale each term's contribution (1 = an ordinary query term): words a
        synonym brings into a question count for less than the question's own.
        """
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        n_terms = self.matrix.shape[0]
        weights = weights if weights is not None else [1.0] * len(term_ids)
        picked = [(t, w) for t, w in zip(term_ids, weights, strict=True) if 0 <= t < n_terms]
        if not picked:
            return np.zeros(self.n_passages, dtype=np.float64)
        # One bincount over the query's postings: a single pass in C, and it adds each
        # passage's weights in query-term order, so the sums are the same bit for bit as
        # adding term by term (a third faster than `out[indices] += data` per term).
        # Indices are widened while concatenating: bincount would otherwise copy them again.
        spans = [(indptr[t], indptr[t + 1], w) for t, w in picked]
        return np.bincount(
            np.concatenate([indices[lo:hi] for lo, hi, _ in spans], dtype=np.intp),
            weights=np.concatenate(
                [data[lo:hi] if w == 1.0 else data[lo:hi] * w for lo, hi, w in spans]
            ),
            minlength=self.n_passages,
        )

    def top(
        self,
        term_ids: Sequence[int],
        k: int,
        floor: float = 0.0,
        weights: Sequence[float] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best-scoring passages (unordered) scoring above 0 and at least `floor` × the
        best score, and their scores.

        The floor lets the caller say which passages it would never show anyway; selecting
        among those few is much cheaper than partitioning every passage's score.

        Tried and dropped: MaxScore (score the rare terms, look the common ones up only
        for passages that can still make the top k). Questions about Đề án 06 are mostly
        made of terms in a large share of the passages, so it rarely narrowed anything
        down and was slower than one bincount over all the postings.
        """
        return _best(self.scores(term_ids, weights), k, floor)


def _best(scores: np.ndarray, k: int, floor: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    best = scores.max() if len(scores) else 0.0
    if k <= 0 or best <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    top = np.flatnonzero(scores >= best * floor) if floor > 0 else np.flatnonzero(scores > 0)
    if len(top) > k:
        top = top[np.argpartition(scores[top], len(top) - k)[len(top) - k :]]
    return top, scores[top]


def compile_bm25(
    term_ids: np.ndarray,
    counts: np.ndarray,
    doc_index: np.ndarray,
    doc_lengths: np.ndarray,
    n_terms: int,
) -> CompiledBM25:
    """Build from postings: (term_ids[i], doc_index[i]) occurs counts[i] times.

    doc_lengths are total term counts per passage (BM25's |D|). Each (term, passage)
    pair must appear once.
    """
    order = np.argsort(doc_index, kind="stable")
    sizes = np.bincount(doc_index, minlength=len(doc_lengths))
    return compile_passage_major(
        np.concatenate(([0], np.cumsum(sizes))), term_ids[order], counts[order], doc_lengths,
        n_terms,
    )  # fmt: skip


def compile_passage_major(
    indptr: np.ndarray,
    term_ids: np.ndarray,
    counts: np.ndarray,
    doc_lengths: np.ndarray,
    n_terms: int,
) -> CompiledBM25:
    """Build from postings grouped by passage, as the store keeps them.

    Passage p's terms are term_ids[indptr[p]:indptr[p+1]] with their counts.
    """
    n_docs = len(doc_lengths)
    by_passage = sparse.csr_matrix(
        (
            np.asarray(counts, dtype=np.int32),
            np.asarray(term_ids, dtype=np.int32),
            np.asarray(indptr, dtype=np.int32 if indptr[-1] < 2**31 else np.int64),
        ),
        shape=(n_docs, n_terms),
    )
    del term_ids, counts
    return compile_by_passage(by_passage, doc_lengths)


CHUNK = 1 << 20  # postings per step of the in-place weight computation


def compile_by_passage(counts: sparse.csr_matrix, doc_lengths: np.ndarray) -> CompiledBM25:
    """Build from a passage × term matrix of integer counts, which this takes over.

    At 100k passages there are ~17M postings. The transpose is scipy's counting sort
    (no argsort, int32 indices) and the weights are computed in place a chunk at a
    time: a COO build with int64 coordinates and whole-array float temporaries peaked
    at over a gigabyte, and a reload holds the old index while building the new one.
    """
    n_docs, n_terms = counts.shape
    if n_docs == 0:
        return CompiledBM25(sparse.csr_matrix((n_terms, 0)), np.zeros(n_terms))
    by_term = counts.tocsc()  # columns = terms, row indices sorted: the postings lists
    del counts
    df = np.diff(by_term.indptr)
    present = df > 0
    idf = np.zeros(n_terms, dtype=np.float64)
    idf[present] = np.log(n_docs - df[present] + 0.5) - np.log(df[present] + 0.5)
    average_idf = idf[present].sum() / max(1, int(present.sum()))
    idf[present & (idf < 0)] = EPSILON * average_idf
    avgdl = doc_lengths.sum() / n_docs
    norm = K1 * (1 - B + B * np.asarray(doc_lengths, dtype=np.float64) / avgdl)
    indptr, indices = by_term.indptr, by_term.indices
    weights = by_term.data.astype(np.float64)  # term frequencies, becoming weights
    del by_term
    for lo in range(0, len(weights), CHUNK):
        hi = min(lo + CHUNK, len(weights))
        tf = weights[lo:hi]
        denominator = norm[indices[lo:hi]]
        denominator += tf
        tf *= K1 + 1
        tf /= denominator
        tf *= idf[np.searchsorted(indptr, np.arange(lo, hi), side="right") - 1]
    matrix = sparse.csr_matrix((weights, indices, indptr), shape=(n_terms, n_docs), copy=False)
    matrix.has_sorted_indices = True
    return CompiledBM25(matrix, idf)


def compile_from_tokens(corpus: Sequence[Sequence[str]]) -> tuple[CompiledBM25, dict[str, int]]:
    """Convenience for tests and small corpora: token lists in, model and vocabulary out."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    lengths = np.zeros(len(corpus), dtype=np.float64)
    for d, doc in enumerate(corpus):
        lengths[d] = len(doc)
        tf: dict[int, int] = {}
        for token in doc:
            tid = vocab.setdefault(token, len(vocab))
            tf[tid] = tf.get(tid, 0) + 1
        for tid, c in tf.items():
            rows.append(tid)
            cols.append(d)
            vals.append(c)
    model = compile_bm25(
        np.array(rows, dtype=np.int64),
        np.array(vals, dtype=np.int64),
        np.array(cols, dtype=np.int64),
        lengths,
        len(vocab),
    )
    return model, vocab
