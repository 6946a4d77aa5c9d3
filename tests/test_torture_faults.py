"""Faults: a store that refuses writes, a process killed mid-reload, a Bot API that fails.

The promise is that officials keep getting answers and nothing is silently lost: the query
log retries what the store refused, a reload killed half-way leaves the last complete
knowledge base, and answers refused by the chat platform (429, 500, timeouts) are retried.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.core import Conversation, Settings
from bot.models import Incoming, ReplyKind
from bot.platforms.telegram import build_application, running
from bot.platforms.zalo import ZaloConfig, serve
from bot.platforms.zalo_api import RetryPolicy
from bot.render.text import render as render_text
from index import store as store_module
from index.build import reload_store
from index.store import Store

from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo, running_bot, text_update
from helpers import ADMIN, say

pytest_plugins = ["conftest_telegram"]

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
@pytest.mark.parametrize("moment", ["early", "writing"])
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
            reached = wait_until(wal.exists, 60)  # the store is open: reading and analysing
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


# ----- the chat platform fails: 429, 5xx, timeouts ------------------------------------------


@pytest.fixture
def telegram_app(fake_telegram: FakeTelegram, telegram_conv: Conversation) -> Application:
    return build_application(
        telegram_conv, fake_telegram.token, base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    )  # fmt: skip


async def ask_many(fake: FakeTelegram, app: Application, chats: list[int]) -> dict[int, list]:
    async with running(app, poll_timeout=1):
        for chat in chats:
            fake.queue(fake.private_text(chat, QUESTION))
        await fake.wait_for(lambda: all(fake.messages_to(c) for c in chats), timeout=60)
        await fake.wait_idle()
    return {c: fake.messages_to(c) for c in chats}


async def test_telegram_answers_survive_a_run_of_429s(
    fake_telegram: FakeTelegram, telegram_app: Application
) -> None:
    fake_telegram.fail_next("sendMessage", times=3, status=429, retry_after=1)
    answers = await ask_many(fake_telegram, telegram_app, [201, 202, 203, 204])
    assert all(len(sent) == 1 for sent in answers.values())  # retried, not duplicated
    assert len(fake_telegram.calls_of("sendMessage")) == 4 + 3


async def test_telegram_answers_survive_a_run_of_server_errors(
    fake_telegram: FakeTelegram, telegram_app: Application
) -> None:
    for status in (500, 502, 503):
        fake_telegram.fail_next("sendMessage", times=1, status=status)
    answers = await ask_many(fake_telegram, telegram_app, [211, 212])
    assert all(len(sent) == 1 for sent in answers.values())


async def test_telegram_polling_survives_server_errors_without_losing_updates(
    fake_telegram: FakeTelegram, telegram_app: Application
) -> None:
    fake_telegram.fail_next("getUpdates", times=3, status=502)
    answers = await ask_many(fake_telegram, telegram_app, [221, 222, 223])
    assert all(len(sent) == 1 for sent in answers.values())


@pytest.mark.slow  # waits out python-telegram-bot's 5 s read timeout
async def test_telegram_answer_survives_a_timed_out_send(
    fake_telegram: FakeTelegram, telegram_app: Application
) -> None:
    fake_telegram.delay_next("sendMessage", seconds=7)
    answers = await ask_many(fake_telegram, telegram_app, [231])
    # the slow send may still land after the client gave up: at least once, at most twice
    assert 1 <= len(answers[231]) <= 2


class SlowZalo(FakeZalo):
    """The fake Zalo API whose next `slow` sendMessage calls answer only after `seconds`."""

    slow: int = 0
    seconds: float = 1.0

    async def _send_message(self, request, body):  # type: ignore[no-untyped-def]
        if self.slow > 0:
            self.slow -= 1
            await asyncio.sleep(self.seconds)
        return await super()._send_message(request, body)


def zalo_running(conv: Conversation, fake: FakeZalo, timeout: float = 15.0):
    retry = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
    return running_bot(conv, fake, timeout=timeout, retry=retry, poll_backoff=retry)


@pytest.fixture
async def slow_zalo() -> AsyncIterator[SlowZalo]:
    server = SlowZalo()
    await server.start()
    yield server
    await server.stop()


def core_says(conv: Conversation, text: str) -> list[str]:
    return render_text(conv.handle(Incoming("zalo", "reference", "reference", text)))


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_zalo_answers_survive_a_run_of_failures(
    slow_zalo: SlowZalo, conv: Conversation, status: int
) -> None:
    slow_zalo.fail_next(3, status, "sendMessage")
    async with zalo_running(conv, slow_zalo) as bot:
        for i in range(3):
            slow_zalo.push(text_update(QUESTION, message_id=f"f-{i}", chat_id=f"zc-{i}"))
        await slow_zalo.wait_for(lambda: len({m["chat_id"] for m in slow_zalo.sent}) == 3)
        await bot.idle()
    expected = core_says(conv, QUESTION)
    assert all(slow_zalo.texts(f"zc-{i}") == expected for i in range(3))


async def test_zalo_answer_survives_a_timed_out_send(
    slow_zalo: SlowZalo, conv: Conversation
) -> None:
    slow_zalo.slow, slow_zalo.seconds = 1, 1.0
    async with zalo_running(conv, slow_zalo, timeout=0.3) as bot:
        slow_zalo.push(text_update(QUESTION, message_id="t-1", chat_id="zt"))
        await slow_zalo.wait_for(lambda: bool(slow_zalo.texts("zt")), timeout=15)
        await bot.idle()
    assert 1 <= len(slow_zalo.texts("zt")) <= 2  # at least once


# ----- the process is stopped: SIGTERM finishes what it received, SIGKILL loses at most
# ----- the batch in flight ----------------------------------------------------------------


async def start_telegram_bot(fake: FakeTelegram, settings: Settings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "DE06_TELEGRAM_BASE_URL": fake.base_url,
        "DE06_TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "DE06_ADMIN_IDS": ADMIN,
        "DE06_QUESTIONS_PER_MINUTE": "1000",
        "DE06_LOG_LEVEL": "WARNING",
    }
    env.pop("DE06_WEBHOOK_URL", None)
    polls = len(fake.calls_of("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--kb", str(settings.kb_dir),
        "--db", str(settings.db_path), "serve", "telegram",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > polls, timeout=60)
    return process


async def answer_then_stop(fake: FakeTelegram, settings: Settings, chats: list[int]) -> None:
    """Start the real bot, wait until every chat got an answer, stop it gracefully."""
    process = await start_telegram_bot(fake, settings)
    try:
        await fake.wait_for(lambda: all(fake.messages_to(c) for c in chats), timeout=60)
        await stopped(process, signal.SIGTERM)
    finally:
        if process.returncode is None:
            process.kill()


async def stopped(process: asyncio.subprocess.Process, sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, err.decode(errors="replace")


@pytest.mark.slow
async def test_sigterm_finishes_the_questions_received_and_a_restart_answers_the_rest(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    fake = fake_telegram
    Conversation.open(settings).close()  # build the store once, outside the timed bot
    process = await start_telegram_bot(fake, settings)
    try:
        fake.delay_next("sendMessage", seconds=1.0, times=8)  # answers are in flight…
        received = list(range(301, 309))
        for chat in received:
            fake.queue(fake.private_text(chat, QUESTION))
        await fake.wait_for(lambda: len(fake.calls_of("sendMessage")) >= 1)
        code, err = await stopped(process, signal.SIGTERM)  # …when the stop comes
    finally:
        if process.returncode is None:
            process.kill()
    assert code == 0, err
    assert all(len(fake.messages_to(c)) == 1 for c in received), err
    assert fake.pending_updates == 0  # confirmed to Telegram: not answered again on restart
    waiting = list(range(311, 314))  # sent while the bot was down
    for chat in waiting:
        fake.queue(fake.private_text(chat, QUESTION))
    await answer_then_stop(fake, settings, waiting)
    assert all(len(fake.messages_to(c)) == 1 for c in received + waiting)


@pytest.mark.slow
async def test_sigkill_loses_at_most_the_batch_in_flight(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    fake = fake_telegram
    Conversation.open(settings).close()
    process = await start_telegram_bot(fake, settings)
    try:
        fake.delay_next("sendMessage", seconds=30, times=5)
        in_flight = list(range(401, 406))
        for chat in in_flight:
            fake.queue(fake.private_text(chat, QUESTION))
        await fake.wait_for(lambda: len(fake.calls_of("sendMessage")) >= 1)
        code, _ = await stopped(process, signal.SIGKILL)
    finally:
        if process.returncode is None:
            process.kill()
    assert code == -signal.SIGKILL
    later = list(range(411, 416))
    for chat in later:
        fake.queue(fake.private_text(chat, QUESTION))
    await answer_then_stop(fake, settings, later)
    assert all(len(fake.messages_to(c)) == 1 for c in later)
    assert all(len(fake.messages_to(c)) <= 1 for c in in_flight)


async def test_zalo_graceful_stop_finishes_the_questions_received(
    slow_zalo: SlowZalo, conv: Conversation
) -> None:
    slow_zalo.slow, slow_zalo.seconds = 3, 0.5
    retry = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
    config = ZaloConfig(
        token=slow_zalo.token, base_url=slow_zalo.base_url, poll_timeout=0.2,
        reminder_interval=3600, typing_delay=30, retry=retry, poll_backoff=retry,
    )  # fmt: skip
    stop = asyncio.Event()  # what `de06 serve zalo` sets on SIGTERM
    serving = asyncio.create_task(serve(conv, config, stop))
    chats = [f"zs-{i}" for i in range(3)]
    for i, chat in enumerate(chats):
        slow_zalo.push(text_update(QUESTION, message_id=f"s-{i}", chat_id=chat))
    # all three received (the poll after the third has begun), the first answer in flight
    await slow_zalo.wait_for(
        lambda: slow_zalo.count("getUpdates") > len(chats) and slow_zalo.count("sendMessage") >= 1
    )
    stop.set()
    await asyncio.wait_for(serving, 30)
    assert all(slow_zalo.texts(chat) for chat in chats)
