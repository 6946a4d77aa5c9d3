"""Answered messages per second through the real Telegram adapter, polling a fake Bot API.

The fake server (tests/fake_telegram.py) runs on 127.0.0.1; the bot is the production
`bot.telegram` application with long polling. Questions arrive in bursts in group chats
that mention the bot, because there every answer quotes its question: counting the
messages that quote each question proves none was lost and none answered twice.

Telegram itself lets a bot send ~30 messages a second; the adapter's own rate limiter
enforces that, so it is switched off here: this measures what the adapter and the core
can do, not Telegram's quota.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

from bench.measure import settings_for
from bench.questions import generate_questions
from bench.synth import generate
from bot.core import Conversation
from bot.telegram import build_application, running

TESTS = Path(__file__).resolve().parent.parent / "tests"
PASSAGES = 1000
CHATS = 100
BURST = 250


async def _measure(conv: Conversation, n_messages: int) -> dict:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from fake_telegram import FakeTelegram

    questions = generate_questions(n_messages, seed=99)
    async with FakeTelegram() as fake:
        app = build_application(conv, fake.token, base_url=fake.base_url, rate_limiter=False)
        async with running(app, poll_timeout=1):
            updates = [
                fake.group_text(-1000 - i % CHATS, 10 + i % CHATS, q.text, mention=True)
                for i, q in enumerate(questions)
            ]
            asked = {u["message"]["message_id"] for u in updates}
            started = time.perf_counter()
            for i in range(0, len(updates), BURST):
                fake.queue(*updates[i : i + BURST])
                await asyncio.sleep(0)  # let the poller see each burst on its own

            def all_answered() -> bool:
                return len({s.reply_to for s in fake.sent if s.reply_to in asked}) == len(asked)

            try:
                await fake.wait_for(all_answered, timeout=max(60.0, n_messages / 20))
            except AssertionError:
                pass  # counted below as lost
            seconds = time.perf_counter() - started
            await asyncio.sleep(0.5)  # anything sent twice would arrive now
            quoted = Counter(s.reply_to for s in fake.sent if s.reply_to in asked)
            errors = len(fake.errors)
    return {
        "messages": n_messages, "chats": CHATS, "burst": BURST, "seconds": seconds,
        "msgs_per_s": n_messages / seconds, "lost": len(asked - set(quoted)),
        "doubled": sum(1 for n in quoted.values() if n > 1), "api_errors": errors,
    }  # fmt: skip


def measure_telegram(work: Path, n_messages: int, passages: int = PASSAGES) -> dict:
    generate(work / "kb", passages)
    conv = Conversation.open(settings_for(work))
    try:
        result = asyncio.run(_measure(conv, n_messages))
    finally:
        conv.close()
    result["passages"] = passages
    return result
