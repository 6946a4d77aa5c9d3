"""Faults: a store that refuses writes, a process killed mid-reload, a Bot API that fails.

The promise is that officials keep getting answers and nothing is silently lost: the query
log retries what the store refused, a reload killed half-way leaves the last complete
knowledge base, and answers refused by the chat platform (429, 500, timeouts) are retried.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core import Conversation, Settings
from bot.models import ReplyKind
from index import store as store_module
from index.build import reload_store
from index.store import Store

from helpers import say

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll for something another thread or process does; the caller asserts the result."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def logged_rows(conv: Conversation) -> list[str]:
    return [r[0] for r in conv.store.db().execute("SELECT question FROM query_log ORDER BY id")]


def query_log_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "index.querylog" and r.levelno >= logging.ERROR
    ]


# ----- the store refuses writes ---------------------------------------------------------


def test_answers_are_served_while_another_process_holds_the_store_lock(
    conv: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="index.querylog")
    other = sqlite3.connect(conv.store.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # e.g. a backup script or an admin's sqlite3 shell
    try:
        reply = say(conv, QUESTION)
        assert reply.kind is ReplyKind.ANSWER
        assert "database" not in reply.plain and "lỗi" not in reply.plain
        assert wait_until(lambda: bool(query_log_errors(caplog)))
        assert "locked" in query_log_errors(caplog)[0]
    finally:
        other.rollback()
        other.close()


@pytest.mark.slow  # waits out SQLite's 5 s busy timeout
def test_questions_logged_while_the_store_was_locked_are_written_once_it_frees(
    conv: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="index.querylog")
    other = sqlite3.connect(conv.store.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        say(conv, QUESTION)
        assert wait_until(lambda: bool(query_log_errors(caplog)))
        say(conv, "Bộ TT&TT làm gì trong Đề án 06?")
    finally:
        other.rollback()
        other.close()
    assert conv.querylog.flush()
    assert logged_rows(conv) == [QUESTION, "Bộ TT&TT làm gì trong Đề án 06?"]


@pytest.fixture
def read_only_query_log(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """The query-log writer's connection refuses writes (SQLITE_READONLY), like a store on a
    read-only volume; tests run as root, where chmod would not stop SQLite. The connections
    are returned so a test can make the store writable again."""
    opened: list[sqlite3.Connection] = []
    real_connect = store_module.connect

    def connect(path: Path, **kwargs):
        db = real_connect(path, **kwargs)
        if threading.current_thread().name == "query-log":
            db.execute("PRAGMA query_only = 1")
            opened.append(db.conn)
        return db

    monkeypatch.setattr(store_module, "connect", connect)
    return opened


def test_answers_are_served_from_a_read_only_store_and_the_failure_is_only_logged(
    read_only_query_log: list[sqlite3.Connection],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="index.querylog")
    conv = Conversation.open(settings)
    try:
        reply = say(conv, QUESTION)
        assert reply.kind is ReplyKind.ANSWER
        assert "readonly" not in reply.plain.lower()
        assert wait_until(lambda: bool(query_log_errors(caplog)))
        assert "readonly" in query_log_errors(caplog)[0]
        for connection in read_only_query_log:  # the volume is writable again
            connection.execute("PRAGMA query_only = 0")
        assert conv.querylog.flush()
        assert logged_rows(conv) == [QUESTION]
    finally:
        conv.close()


# ----- SIGKILL in the middle of a reload ------------------------------------------------


def synthetic_kb(kb: Path, documents: int, paragraphs: int) -> None:
    """Many long documents made of the shipped KB's words: big enough that the reload's write
    transaction spills pages into the WAL file long before it commits."""
    words = " ".join(p.read_text(encoding="utf-8") for p in (kb / "documents").glob("*.md"))
    vocab = words.split()
    rnd = random.Random(6)
    for i in range(documents):
        body = "\n\n".join(
            " ".join(rnd.choice(vocab) for _ in range(90)) + "." for _ in range(paragraphs)
        )
        (kb / "documents" / f"tong-hop-{i:04d}.txt").write_text(
            f"Báo cáo tổng hợp số {i}\n\n{body}", encoding="utf-8"
        )


def document_ids(db_path: Path) -> set[str]:
    store = Store(db_path)
    try:
        return {r[0] for r in store.db().execute("SELECT doc_id FROM documents")}
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["analysing", "writing"])
def test_sigkill_during_reload_leaves_the_last_complete_knowledge_base(
    settings: Settings, kb: Path, moment: str
) -> None:
    store = Store(settings.db_path)
    reload_store(kb, store)
    generation = store.meta("generation")
    store.close()
    old_ids = document_ids(settings.db_path)
    synthetic_kb(kb, documents=600, paragraphs=20)
    wal = Path(f"{settings.db_path}-wal")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--kb", str(kb), "--db", str(settings.db_path),
         "reload"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its analysis workers die with it
    )  # fmt: skip
    try:
        if moment == "writing":  # uncommitted pages spill into the WAL before the commit
            reached = wait_until(lambda: wal.exists() and wal.stat().st_size > 1_000_000, 120)
        else:
            reached = wait_until(wal.exists, 60)  # the store is open: analysis has begun
            time.sleep(1.0)
        assert reached and process.poll() is None, "the reload ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    check = sqlite3.connect(settings.db_path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    assert document_ids(settings.db_path) == old_ids
    conv = Conversation.open(settings)  # the next start
    try:
        assert conv.store.meta("generation") == generation
        assert set(conv.snapshot.index.docs) == old_ids
        assert say(conv, QUESTION).kind is ReplyKind.ANSWER
    finally:
        conv.close()
