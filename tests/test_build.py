import sqlite3

import numpy as np
import pytest

from index import build, ingest
from index.build import reload_store
from index.store import Store


def test_first_reload_adds_every_document(kb, tmp_path):
    report = reload_store(kb, Store(tmp_path / "s.sqlite"))
    assert len(report.added) == 5 and report.passages > 40 and not report.skipped


def test_unchanged_reload_analyses_nothing(kb, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store)
    again = reload_store(kb, store)
    assert not again.changed_anything and again.analysed_passages == 0 and again.unchanged == 5


def test_edited_document_is_the_only_one_reanalysed(kb, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store)
    path = next((kb / "documents").glob("2023-02-21-vuong*.md"))
    path.write_text(
        path.read_text(encoding="utf-8") + "\nĐoạn mới về căn cước.\n", encoding="utf-8"
    )
    report = reload_store(kb, store)
    assert report.changed == ["documents/" + path.stem] and report.unchanged == 4


def test_removed_document_disappears_with_its_passages(kb, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store)
    victim = next((kb / "documents").glob("2022-12-25*.md"))
    victim.unlink()
    report = reload_store(kb, store)
    left = store.db().execute(
        "SELECT count(*) FROM passages WHERE doc_id = ?", ["documents/" + victim.stem]
    )
    assert report.removed == ["documents/" + victim.stem] and left.fetchone()[0] == 0


def test_broken_file_is_reported_by_name_and_the_rest_loads(kb, tmp_path):
    (kb / "documents" / "hong.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = reload_store(kb, Store(tmp_path / "s.sqlite"))
    assert [e.path.name for e in report.skipped] == ["hong.txt"]
    assert "nhị phân" in report.skipped[0].reason and len(report.added) == 5


def test_changed_word_lists_reanalyse_everything_without_reporting_changes(kb, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store)
    with (kb / "abbreviations.tsv").open("a", encoding="utf-8") as f:
        f.write("ĐA06\tĐề án 06\n")
    report = reload_store(kb, store)
    assert report.analysed_passages > 0 and not report.changed


def test_files_with_the_stored_size_and_time_are_not_read_again(kb, tmp_path):
    from index.ingest import scan

    bad = kb / "documents" / "hong.md"
    bad.write_text('---\ntitle: "unterminated\n---\nbody', encoding="utf-8")
    stat = bad.stat()
    result = scan(kb, {"documents/hong.md": (stat.st_size, stat.st_mtime_ns)})
    assert "documents/hong" in result.unchanged and not result.skipped


def test_touched_file_with_the_same_bytes_is_not_reported_as_changed(kb, tmp_path):
    import os

    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store)
    path = next((kb / "documents").glob("*.md"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report = reload_store(kb, store)
    assert not report.changed_anything and report.analysed_passages == 0


def _contents(store: Store) -> dict:
    """What a build stored, independent of the order documents were written in."""
    db = store.db()
    terms = dict(db.execute("SELECT id, term FROM terms").fetchall())
    passages = {
        (doc_id, ordinal): (text, section, joins, sorted(
            (terms[int(t)], int(n)) for t, n in np.frombuffer(blob, dtype=np.int32).reshape(-1, 2)
        ))
        for doc_id, ordinal, text, section, joins, blob in db.execute(
            "SELECT doc_id, ordinal, text, section, joins, terms FROM passages"
        )
    }
    deadlines = sorted(
        (r["doc_id"], r["due"], r["agency"], r["text"]) for r in db["deadlines"].rows
    )
    documents = sorted((r["doc_id"], r["title"], r["content_hash"]) for r in db["documents"].rows)
    return {"passages": passages, "deadlines": deadlines, "documents": documents}


@pytest.fixture
def streamed(monkeypatch) -> list[int]:
    """Reloads analyse while the folder is read from the second document, two at a time;
    the list counts the reloads that did."""
    monkeypatch.setattr(build, "STREAM_MIN_DOCS", 2)
    monkeypatch.setattr(build, "STREAM_BATCH_DOCS", 2)
    finished: list[int] = []
    finish = build._Feed.finish

    def counted(self):
        finished.append(1)
        return finish(self)

    monkeypatch.setattr(build._Feed, "finish", counted)
    return finished


def test_analysing_while_reading_stores_what_analysing_after_reading_does(kb, tmp_path, request):
    after = Store(tmp_path / "after.sqlite")
    reload_store(kb, after, workers=2)
    streamed = request.getfixturevalue("streamed")
    while_read = Store(tmp_path / "while.sqlite")
    report = reload_store(kb, while_read, workers=2)
    assert streamed and len(report.added) == 5 and report.analysed_passages == report.passages
    assert _contents(while_read) == _contents(after)
    assert while_read.meta("generation") == after.meta("generation") == "1"


def test_a_small_reload_is_analysed_after_reading(kb, tmp_path, streamed, monkeypatch):
    monkeypatch.setattr(build, "STREAM_MIN_DOCS", 6)
    reload_store(kb, Store(tmp_path / "s.sqlite"), workers=2)
    assert not streamed


def _edit_every_document(kb) -> None:
    for path in (kb / "documents").glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn mới.\n", encoding="utf-8")


def test_a_reload_failing_to_write_leaves_the_store_as_it_was(kb, tmp_path, streamed, monkeypatch):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store, workers=2)
    before = _contents(store)
    _edit_every_document(kb)

    def full_disk(self, batch):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(build._Writer, "write", full_disk)
    with pytest.raises(sqlite3.OperationalError):
        reload_store(kb, store, workers=2)
    assert _contents(store) == before and store.meta("generation") == "1"
    assert not store.db().conn.in_transaction


def test_a_reload_failing_while_reading_leaves_the_store_unlocked_and_as_it_was(
    kb, tmp_path, streamed, monkeypatch
):
    store = Store(tmp_path / "s.sqlite")
    reload_store(kb, store, workers=2)
    before = _contents(store)
    _edit_every_document(kb)
    read = ingest.read_document
    seen: list[str] = []

    def failing_disk(path, rel=None, cache=None):
        seen.append(path.name)
        if len(seen) == 4:  # streaming began at the second
            raise OSError(5, "Input/output error", str(path))
        return read(path, rel, cache)

    monkeypatch.setattr(ingest, "read_document", failing_disk)
    with pytest.raises(OSError):
        reload_store(kb, store, workers=2)
    assert not store.db().conn.in_transaction
    assert _contents(store) == before and store.meta("generation") == "1"
    Store(tmp_path / "s.sqlite").set_meta("probe", "x")  # another connection can write
