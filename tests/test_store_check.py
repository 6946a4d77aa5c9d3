"""Store probes on real SQLite files: writable, busy, read-only, sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.store import Store
from index.store_check import integrity, probe_writable

from readonly import read_only


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "de06.sqlite"
    store = Store(path)
    store.set_meta("generation", "3")
    store.close()
    return path


def test_a_normal_store_is_writable_and_the_probe_changes_nothing(store_path: Path) -> None:
    assert probe_writable(store_path).writable
    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT key FROM meta").fetchall() == [("generation",)]


def test_a_store_locked_by_another_writer_is_busy_not_broken(store_path: Path) -> None:
    other = sqlite3.connect(store_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        state = probe_writable(store_path)
    finally:
        other.rollback()
        other.close()
    assert state.writable and state.busy


def test_a_read_only_store_is_not_writable(store_path: Path) -> None:
    with read_only(store_path):
        state = probe_writable(store_path)
    assert not state.writable
    assert "readonly" in state.reason


def test_a_missing_store_is_not_writable(tmp_path: Path) -> None:
    state = probe_writable(tmp_path / "absent.sqlite")
    assert not state.writable and "absent.sqlite" in state.reason


def test_a_sound_store_passes_the_integrity_check(store_path: Path) -> None:
    assert integrity(store_path) == "ok"


def test_a_damaged_store_fails_the_integrity_check(store_path: Path) -> None:
    with sqlite3.connect(store_path) as db:
        db.execute("PRAGMA journal_mode=DELETE")  # everything in the main file
    data = bytearray(store_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(page, len(data), page):
        data[start] = 0x2A  # no valid b-tree page has this type
    store_path.write_bytes(bytes(data))
    assert integrity(store_path) != "ok"
