"""Zalo answers in shapes its documentation never shows: the bot keeps polling and answering.

A fake Zalo Bot API answers the first calls of *every* method oddly — `true`, `[]`, `null`,
an HTML error page, `ok: false` with no reason, or an `ok: true` envelope whose `result` is
`true`, `[]`, `null` or missing (the shape that once crashed start-up in getWebhookInfo) —
and properly afterwards. Whatever the shape, start-up goes on, polling goes on, every
question that does arrive is answered exactly once, and each odd method is logged once.
"""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.core import Conversation, Settings
from bot.models import Incoming
from bot.platforms.zalo_api import MISSING
from bot.render.text import render

from fake_zalo import FakeZalo, running_bot, text_update

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
QUESTIONS = {
    "c-odd-1": "tài khoản định danh điện tử mức 2 dùng để làm gì",
    "c-odd-2": "/help",
}
ODD_CALLS = 2  # per method; the client tries 3 times, so a retried call gets through
METHODS = ("getMe", "getWebhookInfo", "deleteWebhook", "getUpdates", "sendMessage",
           "sendChatAction", "setWebhook")  # fmt: skip


def html_page(status: int) -> Callable[[], web.Response]:
    page = "<html><head><title>Lỗi</title></head><body><h1>Bad Gateway</h1></body></html>"
    return lambda: web.Response(status=status, text=page, content_type="text/html")


# Answers that say nothing about the call: the client cannot know it was carried out.
ENVELOPES: dict[str, Callable[[], web.Response]] = {
    "true": lambda: web.json_response(True),
    "empty-list": lambda: web.json_response([]),
    "null": lambda: web.json_response(None),
    "html-200": html_page(200),
    "html-502": html_page(502),
    "ok-false-200": lambda: web.json_response({"ok": False}),
}
# `ok: true` answers whose result is odd: the call was carried out.
RESULTS: dict[str, Any] = {
    "result-true": True,
    "result-empty-list": [],
    "result-null": None,
    "result-missing": MISSING,
}


class OddZalo(FakeZalo):
    """The fake Zalo API, answering the first `ODD_CALLS` calls of each method oddly."""

    shape: str = "true"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.odd_left = dict.fromkeys(METHODS, ODD_CALLS)

    def _methods(self) -> dict[str, Any]:
        return {name: self._oddly(name, handler) for name, handler in super()._methods().items()}

    def _oddly(self, method: str, handler):  # type: ignore[no-untyped-def]
        async def answer(request: web.Request, body: dict[str, Any]) -> web.Response:
            if self.odd_left.get(method, 0) <= 0:
                return await handler(request, body)
            self.odd_left[method] -= 1
            if self.shape in ENVELOPES:
                return ENVELOPES[self.shape]()
            if method != "getUpdates":  # carried out; an odd poll hands no update over
                await handler(request, body)
            result = RESULTS[self.shape]
            return web.json_response({"ok": True} if result is MISSING else
                                     {"ok": True, "result": result})  # fmt: skip

        return answer


@pytest.fixture(scope="module")
def conv(tmp_path_factory: pytest.TempPathFactory):
    """One conversation for the module: every test uses message ids of its own."""
    root = tmp_path_factory.mktemp("zalo-odd")
    settings = Settings(
        kb_dir=Path(shutil.copytree(KNOWLEDGE, root / "knowledge")), db_path=root / "de06.sqlite",
        questions_per_minute=10_000,
    )  # fmt: skip
    conversation = Conversation.open(settings)
    yield conversation
    conversation.close()


@pytest.fixture(params=[*ENVELOPES, *RESULTS])
async def odd_zalo(request: pytest.FixtureRequest) -> AsyncIterator[OddZalo]:
    server = OddZalo()
    server.shape = request.param
    await server.start()
    yield server
    await server.stop()


def core_says(conv, text: str) -> list[str]:
    return render(conv.handle(Incoming("zalo", "reference", "reference", text)))


async def test_odd_answers_never_stop_the_bot_from_answering(
    odd_zalo: OddZalo, conv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.platforms")
    expected = {chat: core_says(conv, q) for chat, q in QUESTIONS.items()}
    async with running_bot(conv, odd_zalo, typing_delay=0) as bot:
        for n, (chat, question) in enumerate(QUESTIONS.items()):
            odd_zalo.push(text_update(question, message_id=f"{odd_zalo.shape}-{n}", chat_id=chat))
        await odd_zalo.wait_for(
            lambda: all(len(odd_zalo.texts(c)) >= len(t) for c, t in expected.items()), timeout=30
        )
        await bot.idle()
        polls = odd_zalo.count("getUpdates")
        await odd_zalo.wait_for(lambda: odd_zalo.count("getUpdates") > polls)  # still polling
    assert {chat: odd_zalo.texts(chat) for chat in expected} == expected
    answered_oddly = [m for m, left in odd_zalo.odd_left.items() if left < ODD_CALLS]
    assert {"getMe", "getWebhookInfo", "getUpdates", "sendMessage"} <= set(answered_oddly)


@pytest.mark.parametrize(
    "odd_zalo", ["html-200", "ok-false-200", "result-true", "result-empty-list"], indirect=True
)
async def test_each_odd_method_is_logged_once_by_name(
    odd_zalo: OddZalo, conv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.platforms.zalo_api")
    async with running_bot(conv, odd_zalo) as bot:
        odd_zalo.push(text_update("/help", message_id=f"{odd_zalo.shape}-log", chat_id="c-odd-log"))
        await odd_zalo.wait_for(lambda: bool(odd_zalo.texts("c-odd-log")), timeout=30)
        await bot.idle()
    noted = [r.getMessage() for r in caplog.records if "không như tài liệu" in r.getMessage()]
    odd = ["getMe", "getWebhookInfo", "sendMessage"]
    if odd_zalo.shape != "result-empty-list":  # an empty list of updates is a valid answer
        odd.append("getUpdates")
    assert {m: sum(f"Zalo {m}:" in line for line in noted) for m in odd} == dict.fromkeys(odd, 1)
    assert odd_zalo.token not in caplog.text


@pytest.mark.parametrize("odd_zalo", ["html-200", "ok-false-200", "result-true"], indirect=True)
async def test_webhook_mode_starts_whatever_set_webhook_answers(odd_zalo: OddZalo, conv) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = dict(webhook_url=f"http://127.0.0.1:{port}/zalo", listen_host="127.0.0.1",
                   listen_port=port, webhook_secret="bí-mật-webhook-123")  # fmt: skip
    async with running_bot(conv, odd_zalo, **options) as bot:
        update = text_update("/help", message_id=f"{odd_zalo.shape}-hook", chat_id="c-odd-hook")
        assert await odd_zalo.deliver(update) == 200
        await odd_zalo.wait_for(lambda: bool(odd_zalo.texts("c-odd-hook")))
        await bot.idle()
    assert odd_zalo.odd_left["setWebhook"] < ODD_CALLS
    assert odd_zalo.texts("c-odd-hook") == core_says(conv, "/help")
