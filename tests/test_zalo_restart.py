"""A Zalo bot stopped between receiving a message and answering it, then started again.

Zalo's getUpdates hands each update over once: a process killed after fetching a message
but before answering it used to lose it, and one restarted after answering used to answer a
redelivery again. The inbox in the store closes both holes: the message is answered by the
next start, exactly once, and a redelivery of it afterwards is not answered again. Proved
in-process (a stop whose grace runs out) and with the real `de06 serve zalo` and SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.core import Conversation, Settings
from bot.models import Incoming
from bot.platforms.zalo import ZaloBot
from bot.platforms.zalo_api import ZaloBotAPI
from bot.render.text import render

from fake_zalo import FakeZalo, bot_config, running_bot, text_update

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"


class HoldingZalo(FakeZalo):
    """The fake Zalo API; while `hold` is set, sendMessage hangs and is never delivered (the
    bot is killed meanwhile). Long polls end within a second, so a killed poller's does too."""

    hold: bool = False
    held: int = 0

    async def _get_updates(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        return await super()._get_updates(request, {**body, "timeout": 1})

    async def _send_message(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if not self.hold:
            return await super()._send_message(request, body)
        self.held += 1
        await self._notify()
        while self.hold and request.transport is not None and not request.transport.is_closing():
            await asyncio.sleep(0.02)
        return web.Response(status=503)  # not delivered; its sender is gone anyway


@pytest.fixture
async def zalo() -> AsyncIterator[HoldingZalo]:
    server = HoldingZalo()
    await server.start()
    yield server
    await server.stop()


def core_says(settings: Settings, text: str) -> list[str]:
    conv = Conversation.open(replace(settings, today=None))  # the bot's today is today
    try:
        return render(conv.handle(Incoming("zalo", "reference", "reference", text)))
    finally:
        conv.close()


async def test_a_message_whose_answer_did_not_go_out_is_answered_by_the_next_start(
    zalo: HoldingZalo, conv: Conversation
) -> None:
    update = text_update(QUESTION, message_id="lost-1", chat_id="c-lost")
    config = bot_config(zalo)
    async with ZaloBotAPI(config.token, config.base_url, retry=config.retry) as api:
        first = ZaloBot(conv, api, config)
        await first.start()
        zalo.hold = True
        zalo.push(update)
        await zalo.wait_for(lambda: zalo.held >= 1)
        await first.stop(grace=0.05)  # gives up on the answer in flight
    zalo.hold = False
    assert zalo.texts("c-lost") == []
    async with running_bot(conv, zalo) as second:
        await zalo.wait_for(lambda: bool(zalo.texts("c-lost")))
        await second.idle()
        zalo.push(update)  # redelivered
        zalo.push(text_update("/help", message_id="lost-2", chat_id="c-lost-after"))
        await zalo.wait_for(lambda: bool(zalo.texts("c-lost-after")))
        await second.idle()
    assert zalo.texts("c-lost") == render(
        conv.handle(Incoming("zalo", "reference", "reference", QUESTION))
    )


async def start_bot(fake: FakeZalo, settings: Settings) -> asyncio.subprocess.Process:
    """`de06 serve zalo` against the fake; returns once it polls."""
    env = {
        **os.environ,
        "ZALO_BOT_TOKEN": fake.token,
        "DE06_ZALO_BASE_URL": fake.base_url,
        "DE06_QUESTIONS_PER_MINUTE": "1000",
        "DE06_LOG_LEVEL": "WARNING",
    }
    for name in ("TELEGRAM_BOT_TOKEN", "DE06_ZALO_WEBHOOK_URL", "DE06_HTTP_LISTEN"):
        env.pop(name, None)
    polls = fake.count("getUpdates")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--kb", str(settings.kb_dir),
        "--db", str(settings.db_path), "serve", "zalo",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await fake.wait_for(lambda: fake.count("getUpdates") > polls, timeout=60)
    return process


async def stop_bot(process: asyncio.subprocess.Process, sig: int) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(sig)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, err.decode(errors="replace")


@pytest.mark.slow  # two starts of the real process
async def test_a_message_received_by_a_killed_bot_is_answered_once_after_the_restart(
    zalo: HoldingZalo, settings: Settings
) -> None:
    Conversation.open(settings).close()  # the store is built once, as `make run` does
    update = text_update(QUESTION, message_id="kill-1", chat_id="c-killed")
    process = await start_bot(zalo, settings)
    try:
        zalo.hold = True
        zalo.push(update)
        await zalo.wait_for(lambda: zalo.held >= 1, timeout=30)  # received, answer in flight
        code, _ = await stop_bot(process, signal.SIGKILL)
    finally:
        if process.returncode is None:
            process.kill()
    assert code == -signal.SIGKILL
    assert zalo.texts("c-killed") == []  # the answer never got through
    zalo.hold = False
    process = await start_bot(zalo, settings)
    try:
        expected = core_says(settings, QUESTION)
        await zalo.wait_for(lambda: len(zalo.texts("c-killed")) >= len(expected), timeout=30)
        zalo.push(update)  # Zalo delivers it once more
        zalo.push(text_update("/help", message_id="kill-2", chat_id="c-after"))
        await zalo.wait_for(lambda: bool(zalo.texts("c-after")), timeout=30)
        code, err = await stop_bot(process, signal.SIGTERM)
    finally:
        if process.returncode is None:
            process.kill()
    assert code == 0, err
    assert zalo.texts("c-killed") == expected
