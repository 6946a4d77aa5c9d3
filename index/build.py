"""Reload: bring the store in line with the knowledge-base folder, re-analysing only what changed.

Analysis (pyvi) is the slow part, so it runs on every core, and only for documents whose
bytes (or the abbreviation/stop-word lists) changed. Everything is written in one
transaction: a reload either happens completely or not at all.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np

from index import deadline_store, progress
from index.blocks import OcrSummary
from index.cache import cache_for_store
from index.deadline_sources import passage_deadlines
from index.deadlines import Deadline
from index.errors import DocumentError
from index.ingest import scan
from index.lexicon import Lexicon, learn_abbreviations, load_lexicon
from index.memory import release_free_memory
from index.models import Document, Passage
from index.passages import passages_from_units
from index.segment import Analyzer
from index.store import Store

log = logging.getLogger(__name__)
PARALLEL_MIN_DOCS = 40  # below this, starting worker processes costs more than it saves
STREAM_MIN_DOCS = 400  # this many documents to analyse: analyse while the folder is read
STREAM_BATCH_DOCS = 100
BATCH_MAX_DOCS = 200


@dataclass
class ReloadReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[DocumentError] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    analysed_passages: int = 0
    deadlines: int = 0
    learned_abbreviations: int = 0  # "long form (SHORT)" pairs the documents define
    seconds: float = 0.0
    ocr: list[tuple[str, OcrSummary]] = field(default_factory=list)  # (path, how it was read)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, note) of loaded files
    # progress whose deadline is no longer in the rewritten documents (index/progress.py)
    dropped_progress: list[progress.Progress] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class _Analysed:
    doc: Document
    passages: list[Passage]
    counts: list[np.ndarray]  # per passage: (k, 2) int32 rows of (term id, occurrences)
    lengths: list[int]  # per passage: number of terms, BM25's |D|
    deadlines: list[list[Deadline]]  # per passage, read in the worker with the analysis
    joins: list[str]  # per passage: which tokens pyvi joined into one word
    abbreviations: list[tuple[str, str]]  # (short, long) the document defines


@dataclass(frozen=True)
class _Batch:
    """Analysed documents whose term ids index `terms`, the batch's own vocabulary.

    Workers send ids and counts rather than every passage's term strings: pickled
    strings are not shared, so lists of them cost ~20 KB per passage in the parent
    (gigabytes at 100k passages), while ids cost ~1 KB.
    """

    terms: list[str]
    docs: list[_Analysed]


def reload_store(kb_dir: Path, store: Store, *, workers: int | None = None) -> ReloadReport:
    started = time.perf_counter()
    lexicon = load_lexicon(kb_dir)
    db = store.db()
    rows = db.execute("SELECT doc_id, path, content_hash, size, mtime_ns FROM documents").fetchall()
    stored = {doc_id: content_hash for doc_id, _, content_hash, _, _ in rows}
    relex = store.meta("lexicon") != lexicon.fingerprint  # its ANALYSIS_VERSION included
    # With new word lists every document is analysed again, so every one must be read.
    known = {} if relex else {path: (size, mtime) for _, path, _, size, mtime in rows if size}
    feed = _Feed(store, lexicon, workers, lambda doc: _needs_analysis(doc, stored, relex))
    try:
        report = _reload(kb_dir, store, lexicon, feed, stored, known, relex, workers)
    finally:
        feed.close()
    if report.analysed_passages:
        release_free_memory()
    report.seconds = time.perf_counter() - started
    return report


def _needs_analysis(doc: Document, stored: dict[str, str], relex: bool) -> bool:
    return relex or stored.get(doc.doc_id) != doc.content_hash


def _reload(
    kb_dir: Path,
    store: Store,
    lexicon: Lexicon,
    feed: _Feed,
    stored: dict[str, str],
    known: dict,
    relex: bool,
    workers: int | None,
) -> ReloadReport:
    db = store.db()
    found = scan(
        kb_dir, known, cache=cache_for_store(store.path), workers=workers, on_document=feed.offer
    )
    report = ReloadReport(
        skipped=found.skipped,
        documents=len(found.documents) + len(found.unchanged),
        unchanged=len(found.unchanged),
        ocr=[(d.path, d.ocr) for d in found.documents if d.ocr],
        notes=[(d.path, note) for d in found.documents for note in d.notes],
    )
    todo: list[Document] = []
    for doc in found.documents:  # the feed chose by the same rule as it read them
        if not _needs_analysis(doc, stored, relex):
            report.unchanged += 1
            continue
        (report.changed if doc.doc_id in stored else report.added).append(doc.doc_id)
        todo.append(doc)
    present = {d.doc_id for d in found.documents} | set(found.unchanged)
    report.removed = sorted(set(stored) - present)
    if relex and stored:
        # Changed only because the word lists changed: not news for the admin.
        hashes = {d.doc_id: d.content_hash for d in found.documents}
        report.changed = [d for d in report.changed if stored.get(d) != hashes[d]]
    analysed = {d.doc_id for d in todo}
    touched = [
        (d.size, d.mtime_ns, d.doc_id)
        for d in found.documents
        if d.doc_id in stored and d.doc_id not in analysed
    ]  # same bytes, new file time: remember the stat so the next reload need not read it
    with db.conn:  # one transaction (a feed that streamed has already begun it)
        _begin(db)
        db.conn.executemany("UPDATE documents SET size = ?, mtime_ns = ? WHERE doc_id = ?", touched)
        # Synonyms are read with each question: a new list needs a new snapshot, not analysis.
        new_synonyms = store.meta("synonyms") != lexicon.synonyms_fingerprint
        if todo or report.removed or relex or new_synonyms or not store.meta("generation"):
            if feed.streaming:
                writer = feed.finish()
            else:
                writer = _Writer(store)
                for batch in analyse(todo, lexicon, workers=workers):
                    writer.write(batch)
            writer.remove(report.removed)
            report.analysed_passages = writer.finish(lexicon)
            rewritten = [d.doc_id for d in todo] + report.removed
            report.dropped_progress = progress.reconcile(db, rewritten)
            store.set_meta("synonyms", lexicon.synonyms_fingerprint)
    report.passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    report.deadlines = db.execute("SELECT count(*) FROM deadlines").fetchone()[0]
    report.learned_abbreviations = db.execute(
        "SELECT count(DISTINCT short) FROM learned_abbreviations"
    ).fetchone()[0]
    return report


def _begin(db) -> None:
    # Take the write lock at once: a transaction that starts by reading cannot be upgraded
    # to a writer once the query log has committed meanwhile (SQLITE_BUSY_SNAPSHOT).
    if not db.conn.in_transaction:
        db.execute("BEGIN IMMEDIATE")


def analyse(
    docs: list[Document], lexicon: Lexicon, *, workers: int | None = None
) -> Iterator[_Batch]:
    """Split and analyse documents, in worker processes when there are many.

    Batches come back in document order, one at a time, so the caller can write each
    and let it go instead of holding the whole knowledge base's analysis at once.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if not docs:
        return
    size = max(1, min(BATCH_MAX_DOCS, len(docs) // (workers * 8)))
    batches = [docs[i : i + size] for i in range(0, len(docs), size)]
    if workers <= 1 or len(docs) < PARALLEL_MIN_DOCS:
        analyzer = Analyzer(lexicon)
        yield from (_analyse_docs(batch, analyzer) for batch in batches)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(lexicon,))
    with pool:
        for batch, done in zip(batches, pool.map(_analyse_batch, batches), strict=True):
            # The worker sends no document bodies back: the parent has them already.
            terms, analysed = done
            yield _Batch(
                terms, [_Analysed(d, *a) for d, a in zip(batch, analysed, strict=True)]
            )


_worker_analyzer: Analyzer | None = None


def _init_worker(lexicon: Lexicon) -> None:
    global _worker_analyzer
    _worker_analyzer = Analyzer(lexicon)


def _analyse_batch(docs: list[Document]) -> tuple[list[str], list[tuple]]:
    assert _worker_analyzer is not None
    batch = _analyse_docs(docs, _worker_analyzer)
    return batch.terms, [
        (a.passages, a.counts, a.lengths, a.deadlines, a.joins, a.abbreviations)
        for a in batch.docs
    ]


def _analyse_docs(docs: list[Document], analyzer: Analyzer) -> _Batch:
    local: dict[str, int] = {}
    out = []
    split = [passages_from_units(doc.doc_id, doc.units, doc.title)[1] for doc in docs]
    # Each passage's text, then its context when it has one: segmented as one batch.
    texts: list[str] = []
    for passages in split:
        for p in passages:
            texts.append(p.text)
            if p.context:
                texts.append(p.context)
    analysed = iter(analyzer.analyse_passages(texts))
    for doc, passages in zip(docs, split, strict=True):
        counts, lengths, joins = [], [], []
        year = int(doc.date[:4]) if doc.date else None
        doc_date = date.fromisoformat(doc.date) if doc.date else None
        deadlines = [
            passage_deadlines(p, default_year=year, doc_date=doc_date) for p in passages
        ]
        for p in passages:
            terms, joined = next(analysed)
            joins.append(joined)
            if p.context:  # the title and headings above a passage say what it is about
                terms = terms + next(analysed)[0]
            tf = Counter(terms)  # in order of first occurrence, as ids are handed out
            pairs = np.empty((len(tf), 2), dtype=np.int32)
            pairs[:, 0] = [local.setdefault(term, len(local)) for term in tf]
            pairs[:, 1] = list(tf.values())
            counts.append(pairs)
            lengths.append(len(terms))
        out.append(
            _Analysed(
                doc, passages, counts, lengths, deadlines, joins,
                learn_abbreviations("\n".join(p.text for p in passages)),
            )
        )  # fmt: skip
    return _Batch(list(local), out)


_INSERT_PASSAGE = (
    'INSERT INTO passages (doc_id, ordinal, start, "end", text, n_terms, terms, section,'
    " reference, context, ocr, joins) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_DOCUMENT = (
    "INSERT INTO documents (doc_id, path, title, date, source, url, content_hash, n_passages,"
    " loaded_at, size, mtime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Writer:
    """Writes analysed batches into the open transaction, handing out global term ids."""

    def __init__(self, store: Store) -> None:
        self.store, self.db = store, store.db()
        self.vocab = {term: tid for tid, term in self.db.execute("SELECT id, term FROM terms")}
        self.now = datetime.now().isoformat(timespec="seconds")
        self.written = 0

    def remove(self, doc_ids: list[str]) -> None:
        _delete(self.db, doc_ids)

    def write(self, batch: _Batch) -> None:
        """Replace the batch's documents (their old passages go) with their analysis."""
        db, vocab = self.db, self.vocab
        _delete(db, [a.doc.doc_id for a in batch.docs])
        new_terms: list[tuple[int, str]] = []
        to_global = np.empty(len(batch.terms), dtype=np.int32)
        for local, term in enumerate(batch.terms):
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
                new_terms.append((tid, term))
            to_global[local] = tid
        db.conn.executemany("INSERT INTO terms (id, term) VALUES (?, ?)", new_terms)
        doc_rows, passage_rows, abbreviation_rows = [], [], []
        for a in batch.docs:
            abbreviation_rows += [(a.doc.doc_id, short, long) for short, long in a.abbreviations]
            d = a.doc
            doc_rows.append(
                (d.doc_id, d.path, d.title, d.date, d.source, d.url, d.content_hash,
                 len(a.passages), self.now, d.size, d.mtime_ns)
            )  # fmt: skip
            for p, pairs, length, joins in zip(
                a.passages, a.counts, a.lengths, a.joins, strict=True
            ):
                packed = pairs.copy()
                packed[:, 0] = to_global[pairs[:, 0]]
                passage_rows.append(
                    (p.doc_id, p.ordinal, p.start, p.end, p.text, length, packed.tobytes(),
                     p.section, p.reference, p.context, int(p.ocr), joins)
                )  # fmt: skip
        db.conn.executemany(_INSERT_DOCUMENT, doc_rows)
        db.conn.executemany(_INSERT_PASSAGE, passage_rows)
        db.conn.executemany(
            "INSERT INTO learned_abbreviations (doc_id, short, long) VALUES (?, ?, ?)",
            abbreviation_rows,
        )
        self.written += len(passage_rows)
        _write_deadlines(db, batch.docs)

    def finish(self, lexicon: Lexicon) -> int:
        """A new generation of the store; returns how many passages were written."""
        self.store.set_meta("lexicon", lexicon.fingerprint)
        self.store.set_meta("generation", str(int(self.store.meta("generation", "0")) + 1))
        return self.written


class _Feed:
    """Documents that need analysis, sent to the worker processes while the folder is read.

    On a first build or after a bulk upload, reading thousands of files takes seconds in
    this process while the workers would wait; fed as they are read, the two overlap (a
    tenth off a 100k-passage build). Batches are written as they come back, in the order
    sent, so no more than a few batches' analysis is held at once. Only a reload with
    many documents to analyse streams: below STREAM_MIN_DOCS the documents are kept and
    analysed after the scan, as before.
    """

    def __init__(
        self,
        store: Store,
        lexicon: Lexicon,
        workers: int | None,
        wanted: Callable[[Document], bool],
    ) -> None:
        self.store, self.lexicon, self.wanted = store, lexicon, wanted
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.pending: list[Document] = []
        self.sent: deque[tuple[list[Document], Future]] = deque()
        self.pool: ProcessPoolExecutor | None = None
        self.writer: _Writer | None = None

    @property
    def streaming(self) -> bool:
        return self.pool is not None

    def offer(self, doc: Document) -> Document:
        """Takes the document if it needs analysis; returns what the scan should keep of it.

        Once streaming, that is the document without its text: the reload only reports on
        the documents it read, and holding every text until the end cost 150 MB at 100k
        passages.
        """
        if self.workers <= 1 or not self.wanted(doc):
            return doc
        self.pending.append(doc)
        if self.pool is None and len(self.pending) >= STREAM_MIN_DOCS:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_init_worker, initargs=(self.lexicon,)
            )
            _begin(self.store.db())
            self.writer = _Writer(self.store)
        if self.pool is not None and len(self.pending) >= STREAM_BATCH_DOCS:
            self._send()
            while self.sent and self.sent[0][1].done():
                self._write_next()
        return replace(doc, body="", units=()) if self.pool is not None else doc

    def finish(self) -> _Writer:
        """Everything sent and written; the writer, to remove and close the generation."""
        assert self.writer is not None
        self._send()
        while self.sent:
            self._write_next()
        return self.writer

    def close(self) -> None:
        """Stop the workers; a transaction this feed began and nobody finished is undone."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            db = self.store.db()
            if db.conn.in_transaction:
                db.conn.rollback()

    def _send(self) -> None:
        assert self.pool is not None
        for i in range(0, len(self.pending), STREAM_BATCH_DOCS):
            batch = self.pending[i : i + STREAM_BATCH_DOCS]
            self.sent.append((batch, self.pool.submit(_analyse_batch, batch)))
        self.pending = []

    def _write_next(self) -> None:
        assert self.writer is not None
        docs, future = self.sent.popleft()
        terms, analysed = future.result()
        self.writer.write(
            _Batch(terms, [_Analysed(d, *a) for d, a in zip(docs, analysed, strict=True)])
        )


def _delete(db, doc_ids: list[str]) -> None:
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i : i + 500]
        marks = ",".join("?" * len(part))
        db.execute(f"DELETE FROM passages WHERE doc_id IN ({marks})", part)
        db.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", part)
        db.execute(f"DELETE FROM deadlines WHERE doc_id IN ({marks})", part)
        db.execute(f"DELETE FROM learned_abbreviations WHERE doc_id IN ({marks})", part)


def _write_deadlines(db, analysed: list[_Analysed]) -> None:
    """Store each changed document's deadlines, citing the stored passage they come from.

    Rows are inserted here rather than through deadline_store.replace_doc_deadlines
    because that commits, and the whole reload must stay one transaction.
    """
    if not analysed:
        return
    ids: dict[tuple[str, int], int] = {}
    doc_ids = [a.doc.doc_id for a in analysed]
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i : i + 500]
        marks = ",".join("?" * len(part))
        query = f"SELECT doc_id, ordinal, id FROM passages WHERE doc_id IN ({marks})"
        ids.update({(doc_id, ordinal): pid for doc_id, ordinal, pid in db.execute(query, part)})
    rows = []
    for a in analysed:
        for p, found in zip(a.passages, a.deadlines, strict=True):
            pid = ids[(p.doc_id, p.ordinal)]
            rows += [
                deadline_store.deadline_row(a.doc.doc_id, (pid, d), section=p.section)
                for d in found
            ]
    if rows:  # one shape of row: straight to SQLite, without insert_all's per-value checks
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        db.conn.executemany(
            f"INSERT INTO deadlines ({names}) VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
