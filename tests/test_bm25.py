import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import compile_from_tokens


def random_corpus(seed: int, docs: int = 300, vocab: int = 80) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"t{i}" for i in range(vocab)]
    # Zipf-like draws so some terms are in most documents (negative idf → epsilon floor).
    return [
        [words[min(int(rng.paretovariate(1.2)) - 1, vocab - 1)] for _ in range(rng.randint(1, 60))]
        for _ in range(docs)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_scores_equal_bm25okapi_get_scores(seed):
    corpus = random_corpus(seed)
    model, vocab = compile_from_tokens(corpus)
    reference = BM25Okapi(corpus)
    rng = random.Random(seed + 100)
    for _ in range(20):
        query = [f"t{rng.randint(0, 90)}" for _ in range(rng.randint(1, 8))]
        ours = model.scores([vocab.get(t, -1) for t in query])
        assert np.allclose(ours, reference.get_scores(query), atol=1e-6, rtol=0)


def test_repeated_query_terms_count_twice_like_bm25okapi():
    corpus = [["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"]]
    model, vocab = compile_from_tokens(corpus)
    ours = model.scores([vocab["a"], vocab["a"]])
    assert np.allclose(ours, BM25Okapi(corpus).get_scores(["a", "a"]), atol=1e-6)


def test_real_index_matches_bm25okapi_over_its_own_terms(index):
    """The matrix loaded from the store scores like BM25Okapi over the stored terms."""
    db = index.store.db()
    names = {tid: term for tid, term in db.execute("SELECT id, term FROM terms")}
    corpus = []
    for (blob,) in db.execute("SELECT terms FROM passages ORDER BY id"):
        pairs = np.frombuffer(blob, dtype=np.int32).reshape(-1, 2)
        corpus.append([names[int(t)] for t, c in pairs for _ in range(int(c))])
    reference = BM25Okapi(corpus)
    for question in ("Bộ Tư pháp ban hành kế hoạch", "bo cong an phoi hop buu dien", "CSDL dân cư"):
        terms = index.analyzer.query_terms(question, index.vocab, index.folded_stop)
        ours = index.bm25.scores([index.vocab[t] for t in terms if t in index.vocab])
        assert np.allclose(ours, reference.get_scores(terms), atol=1e-6)
