"""Reload: bring the store in line with the knowledge-base folder, re-analysing only what changed.

Analysis (pyvi) is the slow part, so it runs on every core, and only for documents whose
bytes (or the abbreviation/stop-word lists) changed. Everything is written in one
transaction: a reload either happens completely or not at all.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from index import deadline_store
from index.deadlines import extract_deadlines
from index.errors import DocumentError
from index.ingest import scan
from index.lexicon import Lexicon, load_lexicon
from index.models import Document, Passage
from index.passages import split_passages
from index.segment import Analyzer
from index.store import Store

log = logging.getLogger(__name__)
PARALLEL_MIN_DOCS = 40  # below this, starting worker processes costs more than it saves


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
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class _Analysed:
    doc: Document
    passages: list[Passage]
    terms: list[list[str]]


def reload_store(kb_dir: Path, store: Store, *, workers: int | None = None) -> ReloadReport:
    started = time.perf_counter()
    lexicon = load_lexicon(kb_dir)
    found = scan(kb_dir)
    report = ReloadReport(skipped=found.skipped, documents=len(found.documents))
    db = store.db()
    stored = {r["doc_id"]: r["content_hash"] for r in db["documents"].rows}
    relex = store.meta("lexicon") != lexicon.fingerprint
    todo: list[Document] = []
    for doc in found.documents:
        if doc.doc_id not in stored:
            report.added.append(doc.doc_id)
            todo.append(doc)
        elif relex or stored[doc.doc_id] != doc.content_hash:
            report.changed.append(doc.doc_id)
            todo.append(doc)
        else:
            report.unchanged += 1
    present = {d.doc_id for d in found.documents}
    report.removed = sorted(set(stored) - present)
    if relex and stored:
        # Changed only because the word lists changed: not news for the admin.
        report.changed = [d for d in report.changed if stored.get(d) != _hash_of(found, d)]
    analysed = analyse(todo, lexicon, workers=workers)
    report.analysed_passages = sum(len(a.passages) for a in analysed)
    with db.conn:  # one transaction
        _write(store, analysed, report.removed, lexicon)
    report.passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    report.deadlines = db.execute("SELECT count(*) FROM deadlines").fetchone()[0]
    report.seconds = time.perf_counter() - started
    return report


def _hash_of(found, doc_id: str) -> str:
    return next(d.content_hash for d in found.documents if d.doc_id == doc_id)


def analyse(docs: list[Document], lexicon: Lexicon, *, workers: int | None = None) -> list[_Analysed]:
    """Split and analyse documents, in worker processes when there are many."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(docs) < PARALLEL_MIN_DOCS:
        return [_analyse_one(doc, Analyzer(lexicon)) for doc in docs] if docs else []
    chunk = max(1, len(docs) // (workers * 8))
    batches = [docs[i : i + chunk] for i in range(0, len(docs), chunk)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(lexicon,)) as pool:
        return [a for batch in pool.map(_analyse_batch, batches) for a in batch]


_worker_analyzer: Analyzer | None = None


def _init_worker(lexicon: Lexicon) -> None:
    global _worker_analyzer
    _worker_analyzer = Analyzer(lexicon)


def _analyse_batch(docs: list[Document]) -> list[_Analysed]:
    assert _worker_analyzer is not None
    return [_analyse_one(doc, _worker_analyzer) for doc in docs]


def _analyse_one(doc: Document, analyzer: Analyzer) -> _Analysed:
    passages = split_passages(doc.doc_id, doc.body)
    return _Analysed(doc, passages, [analyzer.passage_terms(p.text) for p in passages])


def _write(store: Store, analysed: list[_Analysed], removed: list[str], lexicon: Lexicon) -> None:
    db = store.db()
    gone = removed + [a.doc.doc_id for a in analysed]
    for i in range(0, len(gone), 500):
        part = gone[i : i + 500]
        marks = ",".join("?" * len(part))
        db.execute(f"DELETE FROM passages WHERE doc_id IN ({marks})", part)
        db.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", part)
        db.execute(f"DELETE FROM deadlines WHERE doc_id IN ({marks})", part)
    vocab = {term: tid for tid, term in db.execute("SELECT id, term FROM terms")}
    new_terms: list[tuple[int, str]] = []
    now = datetime.now().isoformat(timespec="seconds")
    doc_rows, passage_rows = [], []
    for a in analysed:
        doc_rows.append(
            {
                "doc_id": a.doc.doc_id, "path": a.doc.path, "title": a.doc.title,
                "date": a.doc.date, "source": a.doc.source, "url": a.doc.url,
                "content_hash": a.doc.content_hash, "n_passages": len(a.passages),
                "loaded_at": now,
            }
        )
        for passage, terms in zip(a.passages, a.terms, strict=True):
            counts: dict[int, int] = {}
            for term in terms:
                tid = vocab.get(term)
                if tid is None:
                    tid = vocab[term] = len(vocab)
                    new_terms.append((tid, term))
                counts[tid] = counts.get(tid, 0) + 1
            packed = np.array(list(counts.items()), dtype=np.int32).reshape(-1, 2)
            passage_rows.append(
                {
                    "doc_id": passage.doc_id, "ordinal": passage.ordinal, "start": passage.start,
                    "end": passage.end, "text": passage.text, "n_terms": len(terms),
                    "terms": packed.tobytes(),
                }
            )
    db["terms"].insert_all(({"id": t, "term": s} for t, s in new_terms), batch_size=5000)
    db["documents"].insert_all(doc_rows, batch_size=1000)
    db["passages"].insert_all(passage_rows, batch_size=1000)
    _write_deadlines(db, analysed)
    store.set_meta("lexicon", lexicon.fingerprint)
    store.set_meta("generation", str(int(store.meta("generation", "0")) + 1))


def _write_deadlines(db, analysed: list[_Analysed]) -> None:
    """Extract each changed document's deadlines, citing the stored passage they come from.

    Rows are inserted here rather than through deadline_store.replace_doc_deadlines
    because that commits, and the whole reload must stay one transaction.
    """
    if not analysed:
        return
    ids = {
        (doc_id, ordinal): pid
        for doc_id, ordinal, pid in db.execute("SELECT doc_id, ordinal, id FROM passages")
    } if len(analysed) > 500 else {
        (doc_id, ordinal): pid
        for a in analysed
        for doc_id, ordinal, pid in db.execute(
            "SELECT doc_id, ordinal, id FROM passages WHERE doc_id = ?", [a.doc.doc_id]
        )
    }
    rows = []
    for a in analysed:
        year = int(a.doc.date[:4]) if a.doc.date else None
        for p in a.passages:
            pid = ids[(p.doc_id, p.ordinal)]
            rows += [
                deadline_store.deadline_row(a.doc.doc_id, (pid, d))
                for d in extract_deadlines(p.text, default_year=year)
            ]
    db["deadlines"].insert_all(rows, batch_size=1000)
