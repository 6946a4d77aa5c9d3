"""Answered messages per second through the real Telegram adapter, polling a fake Bot API.

The fake server (tests/fake_telegram.py) listens on 127.0.0.1 in a process of its own, as
Telegram's servers would be elsewhere: its HTML checking and bookkeeping must not be
billed to the bot. The bot is the production `bot.platforms.telegram` application with long
polling. Questions arrive in bursts in group chats that mention the bot, because there
every answer quotes its question: counting the messages that quote each question proves
none was lost and none answered twice.

Telegram itself lets a bot send ~30 messages a second; the adapter's own rate limiter
enforces that, so it is switched off here: this measures what the adapter and the core
can do, not Telegram's quota.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from bench.measure import settings_for
from bench.questions import generate_questions
from bench.synth import generate

TESTS = Path(__file__).resolve().parent.parent / "tests"
PASSAGES = 1000
CHATS = 100
BURST = 250


def _fake_telegram():
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import fake_telegram

    return fake_telegram


def _serve(conn: Connection, texts: list[str]) -> None:
    """The fake Bot API: queue the bursts when told to, report when all are answered."""
    asyncio.run(_serve_async(conn, texts))


async def _serve_async(conn: Connection, texts: list[str]) -> None:
    loop = asyncio.get_running_loop()
    async with _fake_telegram().FakeTelegram() as fake:
        conn.send(fake.base_url)
        await loop.run_in_executor(None, conn.recv)  # the bot is polling
        updates = [
            fake.group_text(-1000 - i % CHATS, 10 + i % CHATS, text, mention=True)
            for i, text in enumerate(texts)
        ]
        asked = {u["message"]["message_id"] for u in updates}
        answered: set[int] = set()
        seen = 0

        def all_answered() -> bool:
            nonlocal seen
            answered.update(s.reply_to for s in fake.sent[seen:] if s.reply_to in asked)
            seen = len(fake.sent)
            return len(answered) == len(asked)

        started = time.perf_counter()
        for i in range(0, len(updates), BURST):
            fake.queue(*updates[i : i + BURST])
            await asyncio.sleep(0)  # the poller sees each burst on its own
        try:
            await fake.wait_for(all_answered, timeout=max(60.0, len(texts) / 20))
        except AssertionError:
            pass  # counted below as lost
        seconds = time.perf_counter() - started
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        quoted = Counter(s.reply_to for s in fake.sent if s.reply_to in asked)
        conn.send(
            {
                "seconds": seconds,
                "lost": len(asked - set(quoted)),
                "doubled": sum(1 for n in quoted.values() if n > 1),
                "api_errors": len(fake.errors),
            }
        )
        await loop.run_in_executor(None, conn.recv)  # keep serving until the bot has stopped


def _receive(conn: Connection, timeout: float):
    if not conn.poll(timeout):
        raise TimeoutError("the fake Bot API process stopped answering")
    return conn.recv()


async def _run_bot(conv, conn: Connection, timeout: float) -> dict:
    from bot.platforms.telegram import build_application, running

    loop = asyncio.get_running_loop()
    base_url = await loop.run_in_executor(None, _receive, conn, 60.0)
    token = _fake_telegram().TOKEN
    app = build_application(conv, token, base_url=base_url, rate_limiter=False)
    async with running(app, poll_timeout=1):
        conn.send("go")
        result = await loop.run_in_executor(None, _receive, conn, timeout)
    conn.send("stop")
    return result


def measure_telegram(work: Path, n_messages: int, passages: int = PASSAGES) -> dict:
    from bot.core import Conversation

    generate(work / "kb", passages)
    conv = Conversation.open(settings_for(work))
    texts = [q.text for q in generate_questions(n_messages, seed=99)]
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(theirs, texts), daemon=True)
    server.start()
    try:
        result = asyncio.run(_run_bot(conv, ours, max(60.0, n_messages / 20) + 30))
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
        conv.close()
    return {
        "messages": n_messages, "chats": CHATS, "burst": BURST, "passages": passages,
        "msgs_per_s": n_messages / result["seconds"], **result,
    }  # fmt: skip
