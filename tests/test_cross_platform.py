"""Console, Telegram and Zalo share every answer: the same question, the same hits."""

from __future__ import annotations

import io
import re

from bot.core import Conversation
from bot.platforms.console import chat
from bot.platforms.telegram import running

from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo, running_bot, text_update

pytest_plugins = ["conftest_telegram"]

QUESTION = "bo cong an phoi hop voi buu dien viet nam lam gi"
CITATION = re.compile(r"^Nguồn: .*$", re.MULTILINE)


def citations(text: str) -> list[str]:
    return CITATION.findall(text)


def console_citations(conv: Conversation) -> list[str]:
    out = io.StringIO()
    chat(conv, io.StringIO(QUESTION + "\n"), out)
    return citations(out.getvalue())


async def telegram_citations(conv: Conversation) -> list[str]:
    async with FakeTelegram() as fake:
        app = fake.application(conv)
        async with running(app, poll_timeout=5):
            fake.queue(fake.private_text(77, QUESTION))
            await fake.wait_for(lambda: fake.messages_to(77))
        assert fake.errors == []
        return citations("\n".join(m.text for m in fake.messages_to(77)))


async def zalo_citations(conv: Conversation) -> list[str]:
    fake = FakeZalo()
    await fake.start()
    try:
        async with running_bot(conv, fake) as bot:
            fake.push(text_update(QUESTION, message_id="x-1", chat_id="z-77"))
            await fake.wait_sent(1)
            await bot.idle()
        return citations("\n".join(fake.texts("z-77")))
    finally:
        await fake.stop()


async def test_the_same_question_gives_the_same_hits_everywhere(telegram_conv):
    on_console = console_citations(telegram_conv)
    on_telegram = await telegram_citations(telegram_conv)
    on_zalo = await zalo_citations(telegram_conv)
    assert on_console, "the question must be answered"
    assert len(on_console) >= 2 and on_console == on_telegram == on_zalo
