"""Question → ranked, de-duplicated, cited hits, or an honest "nothing found".

The index is immutable once loaded: a reload builds a new one and the caller swaps the
reference, so questions in flight keep using the one they started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from index import index_files
from index.bm25 import CompiledBM25
from index.dedup import near_duplicate, shingles
from index.errors import StoreError
from index.models import Hit
from index.normalize import fold, match_form
from index.passage_words import features, passage_match_form
from index.query import PhraseTable, Query, QueryAnalyzer, is_timing_question
from index.segment import FOLDED, Analyzer
from index.snippets import DATE_RE, make_snippet
from index.store import Store

__all__ = ["SearchIndex", "SearchResult", "DocInfo", "is_timing_question"]

CANDIDATES = 30
# Share of the question's content (idf-weighted) the best passage must contain to count
# as an answer, and that any further hit must contain to be shown at all.
ANSWER_COVERAGE = 0.5
HIT_COVERAGE = 0.35
# Below an answer, a passage covering this much (and at least RELATED_UNITS of the
# question's words) is offered as "the nearest passages"; less than that is no answer.
RELATED_COVERAGE = 0.35
RELATED_UNITS = 2
RELATED_HITS = 2
DUP_LOOKAHEAD = 6
DUP_SCORE_RATIO = 0.6  # a near-duplicate scores at least this share of its twin
FETCH_CHUNK = 8  # candidates read from SQLite at a time, as the collapse reaches them
ROW_CACHE = 4_000  # passage rows kept in memory (a few MB): popular passages skip SQLite
FEATURE_CACHE = 10_000  # passages; ~3 KB each (three strings)
# Passages' shingle sets, ~15 KB each (a set of ints is large): 10,000 of them held 200 MB
# at 100k passages. Arrays were a tenth of that but two to three times slower to build and
# compare, which answering threads felt (the GIL); a smaller cache of sets costs neither.
SHINGLE_CACHE = 2_000
QUERY_CACHE = 2_000  # analysed questions
RELATIVE_FLOOR = 0.25  # a further hit scoring under this share of the best one is noise
TIMING_BOOST = 1.3
DEFINITION_BOOST = 1.5  # "X là gì": the passage that spells X out ("… (X)", "X là …")
DEFINITION_CANDIDATES = 10
_BOOST = max(TIMING_BOOST, DEFINITION_BOOST)


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
    related: list[Hit] = field(default_factory=list)  # not an answer: the nearest passages
    query: Query | None = None


@dataclass
class _Group:
    score: float
    row: dict
    coverage: float
    units: int  # how many of the question's units the passage contains
    dups: list[dict] = field(default_factory=list)


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
        learned: dict[str, str] | None = None,
    ) -> None:
        self.store, self.analyzer, self.bm25, self.vocab = store, analyzer, bm25, vocab
        self.passage_ids, self.docs, self.generation = passage_ids, docs, generation
        self.learned = learned or {}  # short -> long, as the documents define them
        self.folded_stop = self._safe_folded_stopwords()
        groups = list(analyzer.lexicon.synonyms) + [
            (short, long) for short, long in self.learned.items()
        ]
        self.queries = QueryAnalyzer(
            analyzer, vocab, bm25.idf, self.folded_stop, PhraseTable.of_groups(groups)
        )
        self._shingle_cache: dict[int, frozenset[int]] = {}
        self._row_cache: dict[int, dict] = {}
        self._feature_cache: dict[int, tuple[str, str, str]] = {}
        self._query_cache: dict[str, Query] = {}

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
            learned = _learned(db, analyzer)
        finally:
            if not in_transaction:
                db.execute("COMMIT")
        return cls(store, analyzer, bm25, vocab, ids, docs, generation, learned)

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

    def analyse(self, question: str) -> Query:
        """The question analysed once, for every stage that follows (the same question
        asked again, by anyone, is not analysed again)."""
        query = self._query_cache.get(question)
        if query is None:
            query = self.queries.analyse(question)
            if len(self._query_cache) >= QUERY_CACHE:
                self._query_cache.clear()
            self._query_cache[question] = query
        return query

    def term_ids(self, question: str) -> list[int]:
        return list(self.analyse(question).term_ids)

    def search(self, question: str | Query, *, limit: int = 3, offset: int = 0) -> SearchResult:
        query = question if isinstance(question, Query) else self.analyse(question)
        nothing = SearchResult(query.text, False, [], False, query=query)
        if not query.term_ids or self.n_passages == 0:
            return nothing
        # Below RELATIVE_FLOOR of the best a passage is never shown, even after a boost.
        top, top_scores = self.bm25.top(
            query.term_ids, CANDIDATES + offset, RELATIVE_FLOOR / _BOOST, query.term_weights
        )
        if len(top) == 0:
            return nothing
        pids = [int(self.passage_ids[i]) for i in top.tolist()]
        ranked = list(zip(top_scores.tolist(), pids, strict=True))
        if query.timing or query.defined:  # re-ranked by their text: read the candidates
            ranked.sort(key=lambda x: (-x[0], x[1]))
            # a date may lift any candidate; "X là gì" needs the best ones only (its long form
            # is searched too, so the passage spelling X out is among them)
            read = ranked if query.timing else ranked[:DEFINITION_CANDIDATES]
            texts = self._rows([p for _, p in read])
            ranked = [
                (s * self._boost(query, texts[p]) if p in texts else s, p)
                for s, p in ranked
            ]
        ranked.sort(key=lambda x: (-x[0], x[1]))
        groups = self._collapse(ranked, query, offset + limit + 1)
        lead = next((i for i, g in enumerate(groups) if g.coverage >= ANSWER_COVERAGE), None)
        if lead is None:
            return replace(nothing, related=self._related(groups, query) if offset == 0 else [])
        groups.insert(0, groups.pop(lead))  # the first hit shown is one that answers
        shown = groups[offset : offset + limit]
        hits = [self._hit(g.score, g.row, g.dups, query) for g in shown]
        return SearchResult(query.text, True, hits, len(groups) > offset + limit, query=query)

    def _boost(self, query: Query, row: dict) -> float:
        boost = 1.0
        if query.timing and DATE_RE.search(row["text"]):
            boost *= TIMING_BOOST
        if query.defined and query.defines(fold(_mf(row))):
            boost *= DEFINITION_BOOST
        return boost

    def _related(self, groups: list[_Group], query: Query) -> list[Hit]:
        """The nearest passages when none answers: each must hold a fair part of the
        question (several of its words), or an off-topic question would get them too."""
        near = [
            g for g in groups if g.coverage >= RELATED_COVERAGE and g.units >= RELATED_UNITS
        ]
        near.sort(key=lambda g: (-g.coverage, -g.score))
        return [self._hit(g.score, g.row, g.dups, query) for g in near[:RELATED_HITS]]

    def _rows(self, pids: list[int]) -> dict[int, dict]:
        """Passage rows by id, from a small cache or else one SQLite query for the rest."""
        found = {p: self._row_cache[p] for p in pids if p in self._row_cache}
        missing = [p for p in pids if p not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            cursor = self.store.db().execute(
                f"SELECT id, doc_id, ordinal, text, section, reference, context, ocr, joins"
                f" FROM passages WHERE id IN ({marks})",
                missing,
            )
            if len(self._row_cache) >= ROW_CACHE:
                self._row_cache.clear()
            for r in cursor:
                row = {"id": r[0], "doc_id": r[1], "ordinal": r[2], "text": r[3],
                       "section": r[4] or "", "reference": r[5] or "",
                       "context": r[6] or "", "ocr": bool(r[7]), "joins": r[8]}  # fmt: skip
                found[r[0]] = self._row_cache[r[0]] = row
        return found

    def passage(self, passage_id: int) -> Hit | None:
        rows = self._rows([passage_id])
        row = rows.get(passage_id)
        if row is None:
            return None
        return self._hit(0.0, row, [], None)

    def _shingles(self, row: dict) -> frozenset[int]:
        """Shingles of a passage for the near-duplicate test, cached per passage."""
        sig = self._shingle_cache.get(row["id"])
        if sig is None:
            sig = shingles(row["text"])
            if len(self._shingle_cache) >= SHINGLE_CACHE:
                self._shingle_cache.clear()
            self._shingle_cache[row["id"]] = sig
        return sig

    def _features(self, row: dict) -> tuple[str, str, str]:
        """What the question's units are looked up in (index/passage_words.py), cached.

        What a passage is indexed with counts too: a row under "NHIỆM VỤ VỀ DỮ LIỆU" of the
        plan of "Sở Nội vụ" is about data, and about that plan.
        """
        key = row["id"]
        found = self._feature_cache.get(key)
        if found is None:
            found = features(row["text"], row.get("joins"), self.analyzer, _mf(row))
            if row["context"]:
                extra = features(row["context"], None, self.analyzer)
                found = (found[0] + extra[0], found[1] + extra[1], found[2] + extra[2])
            if len(self._feature_cache) >= FEATURE_CACHE:
                self._feature_cache.clear()
            self._feature_cache[key] = found
        return found

    def _collapse(self, ranked, query: Query, wanted: int) -> list[_Group]:
        """Relevant passages in rank order, each with the near-duplicates folded into it.

        Stops a few candidates after it has `wanted` groups: near-duplicates score alike,
        so they sit right next to each other in the ranking. Coverage is only worked out
        for a candidate that could become a group: below the relative floor it cannot.
        """
        groups: list[_Group] = []
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
            alike = [g for g in groups if score >= DUP_SCORE_RATIO * g.score]
            if alike:
                sig = self._shingles(row)
                twin = next((g for g in alike if near_duplicate(sig, self._shingles(g.row))), None)
                if twin is not None:
                    twin.dups.append(row)
                    continue
            if n and score < RELATIVE_FLOOR * best:
                continue
            coverage, found, convincing = query.judge(self._features(row))
            if not convincing:
                coverage = min(coverage, RELATED_COVERAGE / 2)  # never an answer, nor near one
            if coverage >= min(HIT_COVERAGE, RELATED_COVERAGE):
                groups.append(_Group(score, row, coverage, found))
                last_new = n
        return groups

    def _hit(self, score, row, dups, query: Query | None) -> Hit:
        """A hit as shown: its snippet for the question (or the whole passage), citation."""
        info = self.docs.get(row["doc_id"], DocInfo(row["doc_id"], "", "", ""))
        if query is None:
            snippet, marks = row["text"], ()
        else:
            snippet, marks = make_snippet(
                row["text"], row.get("joins"), query, self.analyzer, _mf(row)
            )
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


def _mf(row: dict) -> str:
    """The passage's match form, worked out once per cached row (coverage and snippet)."""
    mf = row.get("mf")
    if mf is None:
        mf = row["mf"] = passage_match_form(row["text"])
    return mf


def _learned(db, analyzer: Analyzer) -> dict[str, str]:
    """short -> long of the abbreviations the documents define (the most frequent long form
    of each), leaving out those the curated list already expands."""
    counts: dict[str, dict[str, int]] = {}
    for short, long in db.execute("SELECT short, long FROM learned_abbreviations"):
        forms = counts.setdefault(short, {})
        forms[long] = forms.get(long, 0) + 1
    curated = analyzer.lexicon.abbreviations
    return {
        short: max(forms, key=lambda f: (forms[f], -len(f)))
        for short, forms in counts.items()
        if match_form(short) not in curated
    }
