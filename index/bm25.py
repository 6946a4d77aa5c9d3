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

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """BM25Okapi.get_scores for the query made of these term ids (repeats count)."""
        out = np.zeros(self.n_passages, dtype=np.float64)
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        n_terms = self.matrix.shape[0]
        for t in term_ids:
            if 0 <= t < n_terms:
                lo, hi = indptr[t], indptr[t + 1]
                out[indices[lo:hi]] += data[lo:hi]
        return out


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
    n_docs = len(doc_lengths)
    if n_docs == 0:
        return CompiledBM25(sparse.csr_matrix((n_terms, 0)), np.zeros(n_terms))
    df = np.bincount(term_ids, minlength=n_terms)
    present = df > 0
    idf = np.zeros(n_terms, dtype=np.float64)
    idf[present] = np.log(n_docs - df[present] + 0.5) - np.log(df[present] + 0.5)
    average_idf = idf[present].sum() / max(1, int(present.sum()))
    idf[present & (idf < 0)] = EPSILON * average_idf
    avgdl = doc_lengths.sum() / n_docs
    tf = counts.astype(np.float64)
    norm = K1 * (1 - B + B * doc_lengths[doc_index] / avgdl)
    weights = idf[term_ids] * (tf * (K1 + 1) / (tf + norm))
    matrix = sparse.csr_matrix(
        (weights, (term_ids, doc_index)), shape=(n_terms, n_docs), dtype=np.float64
    )
    matrix.sort_indices()
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
