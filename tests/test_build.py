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
