"""Question → ranked, de-duplicated, cited hits, or an honest "nothing found".

The index is immutable once loaded: a reload builds a new one and the caller swaps the
reference, so questions in flight keep using the one they started with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index import index_files
from index.bm25 import CompiledBM25
from index.dedup import near_duplicate, shingles
from index.errors import StoreError
from index.models import Hit
from index.normalize import fold, match_form
from index.segment import FOLDED, Analyzer, word_forms
from index.snippets import DATE_RE, make_snippet
from index.store import Store

CANDIDATES = 30
# Share of the question's content (idf-weighted) the best passage must contain to count
# as an answer, and that any further hit must contain to be shown at all.
ANSWER_COVERAGE = 0.5
HIT_COVERAGE = 0.35
DUP_LOOKAHEAD = 6
DUP_SCORE_RATIO = 0.6  # a near-duplicate scores at least this share of its twin
FETCH_CHUNK = 8  # candidates read from SQLite at a time, as the collapse reaches them
ROW_CACHE = 4_000  # passage rows kept in memory (a few MB): popular passages skip SQLite
FEATURE_CACHE = 10_000  # passages; ~5 KB each per cache
RELATIVE_FLOOR = 0.25  # a further hit scoring under this share of the best one is noise
TIMING_BOOST = 1.3
_TIMING = re.compile(
    r"\b(?:khi nao|bao gio|luc nao|ngay nao|thang nao|quy nao|nam nao|thoi han|han chot|"
    r"han cuoi|hieu luc|cham nhat|den han|may gio|thoi diem nao|thoi gian nao|truoc ngay|"
    r"deadline|han(?! che))\b"  # "hạn chế" is a shortcoming, not a deadline
)


_WORD = re.compile(r"\w+")




@dataclass(frozen=True)
class DocInfo:
    title: str
    source: str
    date: str
    url: str


@dataclass(frozen=True)
class SearchResult:
    question: str
    answered: bool
    hits: list[Hit]
    more: bool  # further relevant hits exist beyond these


def is_timing_question(question: str) -> bool:
    """"When" questions: their answer should lead with a date."""
    return bool(_TIMING.search(" ".join(_WORD.findall(fold(question).lower()))))


class SearchIndex:
    def __init__(
        self,
        store: Store,
        analyzer: Analyzer,
        bm25: CompiledBM25,
        vocab: dict[str, int],
        passage_ids: np.ndarray,
        docs: dict[str, DocInfo],
        generation: str,
    ) -> None:
        self.store, self.analyzer, self.bm25, self.vocab = store, analyzer, bm25, vocab
        self.passage_ids, self.docs, self.generation = passage_ids, docs, generation
        self._max_idf = float(bm25.idf.max()) if len(bm25.idf) else 1.0
        self.folded_stop = self._safe_folded_stopwords()
        self._shingle_cache: dict[int, frozenset[int]] = {}
        self._row_cache: dict[int, dict] = {}
        self._present_cache: dict[int, frozenset[str]] = {}

    @classmethod
    def load(cls, store: Store, analyzer: Analyzer) -> SearchIndex:
        # The matrix is compiled once per generation of the store, in another process, and
        # memory-mapped from var/index/: only the postings questions touch become resident.
        bm25, ids, generation = index_files.load(store.path)
        db = store.db()
        in_transaction = db.conn.in_transaction
        if not in_transaction:
            db.execute("BEGIN")  # one consistent snapshot even if a reload commits meanwhile
        try:
            if store.meta("generation", "0") != generation:
                raise StoreError("kho dữ liệu đổi trong lúc nạp chỉ mục; hãy nạp lại (/reload)")
            vocab = {term: tid for tid, term in db.execute("SELECT id, term FROM terms")}
            docs = {
                r["doc_id"]: DocInfo(r["title"], r["source"] or "", r["date"] or "", r["url"] or "")
                for r in db["documents"].rows
            }
        finally:
            if not in_transaction:
                db.execute("COMMIT")
        return cls(store, analyzer, bm25, vocab, ids, docs, generation)

    @property
    def n_passages(self) -> int:
        return len(self.passage_ids)

    def _safe_folded_stopwords(self) -> frozenset[str]:
        """Folded stop words that cannot be a content word: "tu" is also "tư" (Tư pháp)."""
        stop = self.analyzer.lexicon.stopwords
        content = {
            fold(t)
            for t in self.vocab
            if not t.startswith(FOLDED) and "_" not in t and t not in stop
        }
        return frozenset(f for f in self.analyzer.lexicon.folded_stopwords if f not in content)

    def term_ids(self, question: str) -> list[int]:
        terms = self.analyzer.query_terms(question, self.vocab, self.folded_stop)
        return [self.vocab[t] for t in terms if t in self.vocab]

    def search(self, question: str, *, limit: int = 3, offset: int = 0) -> SearchResult:
        ids = self.term_ids(question)
        if not ids or self.n_passages == 0:
            return SearchResult(question, False, [], False)
        # Below RELATIVE_FLOOR of the best a passage is never shown, even after the boost.
        top, top_scores = self.bm25.top(ids, CANDIDATES + offset, RELATIVE_FLOOR / TIMING_BOOST)
        if len(top) == 0:
            return SearchResult(question, False, [], False)
        weights = self._weights(question)
        timing = is_timing_question(question)
        pids = [int(self.passage_ids[i]) for i in top.tolist()]
        ranked = list(zip(top_scores.tolist(), pids, strict=True))
        if timing:  # re-rank by "has a date": needs every candidate's text
            texts = self._rows(pids)
            ranked = [
                (s * TIMING_BOOST if DATE_RE.search(texts[p]["text"]) else s, p)
                for s, p in ranked
                if p in texts
            ]
        ranked.sort(key=lambda x: (-x[0], x[1]))
        groups = self._collapse(ranked, weights, offset + limit + 1)
        answered = bool(groups) and groups[0][2] >= ANSWER_COVERAGE
        if not answered:
            return SearchResult(question, False, [], False)
        shown = groups[offset : offset + limit]
        hits = [
            self._hit(score, row, dups, weights, timing) for score, row, _, dups in shown
        ]
        return SearchResult(question, True, hits, len(groups) > offset + limit)


    def _rows(self, pids: list[int]) -> dict[int, dict]:
        """Passage rows by id, from a small cache or else one SQLite query for the rest."""
        found = {p: self._row_cache[p] for p in pids if p in self._row_cache}
        missing = [p for p in pids if p not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            cursor = self.store.db().execute(
                f"SELECT id, doc_id, ordinal, text, section, reference, context, ocr FROM passages"
                f" WHERE id IN ({marks})",
                missing,
            )
            if len(self._row_cache) >= ROW_CACHE:
                self._row_cache.clear()
            for r in cursor:
                row = {"id": r[0], "doc_id": r[1], "ordinal": r[2], "text": r[3],
                       "section": r[4] or "", "reference": r[5] or "",
                       "context": r[6] or "", "ocr": bool(r[7])}  # fmt: skip
                found[r[0]] = self._row_cache[r[0]] = row
        return found

    def passage(self, passage_id: int) -> Hit | None:
        rows = self._rows([passage_id])
        row = rows.get(passage_id)
        if row is None:
            return None
        return self._hit(0.0, row, [], {}, False, whole=True)

    def _weights(self, question: str) -> dict[str, float]:
        weights = {}
        for syllable in self.analyzer.content_syllables(question, self.folded_stop):
            tid = self.vocab.get(FOLDED + fold(syllable.removeprefix(FOLDED)))
            idf = float(self.bm25.idf[tid]) if tid is not None else self._max_idf
            weights[syllable] = max(idf, 0.05)
        return weights

    def _shingles(self, row: dict) -> frozenset[int]:
        """Shingles of a passage for the near-duplicate test, cached per passage."""
        sig = self._shingle_cache.get(row["id"])
        if sig is None:
            sig = shingles(row["text"])
            if len(self._shingle_cache) >= FEATURE_CACHE:
                self._shingle_cache.clear()
            self._shingle_cache[row["id"]] = sig
        return sig

    def _present(self, row: dict) -> frozenset[str]:
        """The passage's words (abbreviations expanded) in both forms, cached per passage."""
        cache_key = row["id"]
        present = self._present_cache.get(cache_key)
        if present is None:
            # what it is indexed with counts too: a row under "NHIỆM VỤ VỀ DỮ LIỆU" is about data
            text = f"{row['text']}\n{row['context']}" if row["context"] else row["text"]
            words = _WORD.findall(self.analyzer.expand(match_form(text)))
            present = frozenset(f for w in words for f in word_forms(w))
            if len(self._present_cache) >= FEATURE_CACHE:
                self._present_cache.clear()
            self._present_cache[cache_key] = present
        return present

    def _collapse(self, ranked, weights, wanted: int):
        """Relevant passages in rank order, each with the near-duplicates folded into it.

        Stops a few candidates after it has `wanted` groups: near-duplicates score alike,
        so they sit right next to each other in the ranking. Coverage is only worked out
        for a candidate that could become a group: below the relative floor it cannot.
        """
        total = sum(weights.values()) or 1.0
        groups: list[tuple[float, dict, float, list[dict]]] = []
        best = ranked[0][0] if ranked else 0.0
        last_new = 0
        rows: dict[int, dict] = {}
        for n, (score, pid) in enumerate(ranked):
            if len(groups) >= wanted and n - last_new > DUP_LOOKAHEAD:
                break
            if pid not in rows:  # fetch the next few candidates only when they are reached
                rows.update(self._rows([p for _, p in ranked[n : n + FETCH_CHUNK]]))
            row = rows.get(pid)
            if row is None:
                continue
            # Near-duplicates share their words, so they score alike: only groups within
            # DUP_SCORE_RATIO of this score are worth the shingle comparison.
            alike = [g for g in groups if score >= DUP_SCORE_RATIO * g[0]]
            if alike:
                sig = self._shingles(row)
                twin = next((g for g in alike if near_duplicate(sig, self._shingles(g[1]))), None)
                if twin is not None:
                    twin[3].append(row)
                    continue
            if groups and score < RELATIVE_FLOOR * best:
                continue
            present = self._present(row)
            coverage = sum(w for t, w in weights.items() if t in present) / total
            if coverage >= HIT_COVERAGE or not groups:
                groups.append((score, row, coverage, []))
                last_new = n
        return groups

    def _hit(self, score, row, dups, weights, timing, whole: bool = False) -> Hit:
        info = self.docs.get(row["doc_id"], DocInfo(row["doc_id"], "", "", ""))
        if whole:
            snippet, marks = row["text"], ()
        else:
            snippet, marks = make_snippet(row["text"], weights, word_forms, prefer_dates=timing)
        also = []
        for d in dups:
            other = self.docs.get(d["doc_id"])
            if d["doc_id"] != row["doc_id"] and other and other.title not in also:
                also.append(other.title)
        return Hit(
            passage_id=row["id"], doc_id=row["doc_id"], ordinal=row["ordinal"], title=info.title,
            source=info.source, date=info.date, url=info.url, text=row["text"], snippet=snippet,
            marks=marks, score=round(score, 4), also_in=tuple(also),
            section=row["section"], reference=row["reference"], ocr=row["ocr"],
        )
