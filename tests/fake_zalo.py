"""A fake Zalo Bot API server on 127.0.0.1 for end-to-end tests (real HTTP, random port).

It answers like the real API as far as its public docs go: one update per getUpdates
call or, after `timeout` seconds, the `ok:false, error_code:408` empty poll; sendMessage
refuses empty text and text over 2000 characters; setWebhook remembers the URL and
secret so `deliver()` can post updates to the adapter exactly as Zalo would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.platforms.zalo import ZaloBot, ZaloConfig
from bot.platforms.zalo_api import RetryPolicy, ZaloBotAPI

MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"


@dataclass
class Failure:
    status: int
    remaining: int
    method: str | None  # None: any method


@dataclass
class FakeZalo:
    token: str = "12345:fake-secret-token"
    bot_id: str = "bot-de06"
    bot_name: str = "Bot Trợ lý 06"
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    empty_polls: int = 0
    webhook_url: str = ""
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._failures: list[Failure] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- test controls ---------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates call."""
        self._updates.put_nowait(update)

    def fail_next(self, count: int, status: int, method: str | None = None) -> None:
        """Answer the next `count` calls (of `method`, or any) with HTTP `status`."""
        self._failures.append(Failure(status, count, method))

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [m["text"] for m in self.sent if chat_id is None or m["chat_id"] == chat_id]

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `predicate()` holds after some call; fail the test if it never does."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    async def wait_sent(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        await self.wait_for(lambda: len(self.sent) >= count, timeout)
        return list(self.sent)

    async def deliver(
        self,
        update: dict[str, Any],
        *,
        wrapped: bool = True,
        secret: str | None = None,
        url: str | None = None,
    ) -> int:
        """POST an update to the registered webhook as Zalo does; the HTTP status it got.

        `secret=None` sends the secret given to setWebhook; "" sends no header at all.
        """
        body = {"ok": True, "result": update} if wrapped else update
        secret = self.webhook_secret if secret is None else secret
        headers = {SECRET_HEADER: secret} if secret else {}
        async with aiohttp.ClientSession() as session:
            async with session.post(url or self.webhook_url, json=body, headers=headers) as r:
                return r.status

    # -- the API ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            body = {}
        self.calls.append((method, body))
        try:
            if request.match_info["token"] != self.token:
                return _error(401, "Unauthorized")
            failure = self._take_failure(method)
            if failure is not None:
                return _error(failure, "Too Many Requests" if failure == 429 else "Server Error")
            handler = self._methods().get(method)
            if handler is None:
                return _error(404, "Not Found")
            return await handler(request, body)
        finally:
            await self._notify()

    def _methods(self) -> dict[str, Any]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    def _take_failure(self, method: str) -> int | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.method in (None, method):
                failure.remaining -= 1
                return failure.status
        return None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _get_me(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": self.bot_id,
                "account_name": self.bot_name,
                "account_type": "BASIC",
                "can_join_groups": True,
            }
        )

    async def _get_updates(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        try:
            timeout = float(body.get("timeout", 30))
        except (TypeError, ValueError):
            return _error(400, "timeout must be a number of seconds")
        try:
            async with asyncio.timeout(timeout):
                update = await self._updates.get()
        except TimeoutError:
            self.empty_polls += 1
            return web.json_response({"ok": False, "error_code": 408, "description": "Timeout"})
        if request.transport is None or request.transport.is_closing():
            self._updates.put_nowait(update)  # the poller went away: keep it for the next one
        return _ok(update)

    async def _send_message(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        text = body.get("text")
        if not body.get("chat_id") or not isinstance(text, str):
            return _error(400, "chat_id and text are required")
        if not 1 <= len(text) <= MAX_TEXT:
            return _error(400, f"text must be 1-{MAX_TEXT} characters")
        self.sent.append({"chat_id": str(body["chat_id"]), "text": text})
        return _ok({"message_id": f"sent-{next(self._ids)}", "date": 1767225600000})

    async def _send_chat_action(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if body.get("action") != "typing":
            return _error(400, "action must be typing")
        self.actions.append(body)
        return web.json_response({"ok": True})

    async def _set_webhook(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        url, secret = body.get("url"), body.get("secret_token")
        if not isinstance(url, str) or not url:
            return _error(400, "url is required")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return _error(400, "secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": 1767225600000})

    async def _delete_webhook(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        self.webhook_url = self.webhook_secret = ""
        return _ok({"url": "", "updated_at": 1767225600000})

    async def _get_webhook_info(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        return _ok({"url": self.webhook_url, "updated_at": 1767225600000})


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )


def text_update(
    text: str,
    *,
    message_id: str,
    chat_id: str = "chat-1",
    user_id: str = "user-1",
    name: str = "Nguyễn Văn An",
    group: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A `message.text.received` update shaped like the API's samples."""
    return message_update(
        "message.text.received",
        message_id=message_id,
        chat_id=chat_id,
        user_id=user_id,
        name=name,
        group=group,
        text=text,
        **extra,
    )


def message_update(
    event_name: str,
    *,
    message_id: str,
    chat_id: str = "chat-1",
    user_id: str = "user-1",
    name: str = "Nguyễn Văn An",
    group: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "event_name": event_name,
        "message": {
            "message_id": message_id,
            "date": 1767225600000,
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "GROUP" if group else "PRIVATE"},
            **fields,
        },
    }


# ----- running the real adapter against this fake --------------------------------------

FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01)


def bot_config(fake: FakeZalo, **overrides: Any) -> ZaloConfig:
    """A ZaloConfig pointed at `fake`, polling briskly, retrying fast, no typing, no reminders."""
    options: dict[str, Any] = dict(
        token=fake.token, base_url=fake.base_url, poll_timeout=0.2, reminder_interval=3600,
        typing_delay=30, retry=FAST, poll_backoff=FAST,
    )  # fmt: skip
    options.update(overrides)
    return ZaloConfig(**options)


@asynccontextmanager
async def running_bot(
    conv: Any, fake: FakeZalo, *, timeout: float = 15.0, **overrides: Any
) -> AsyncIterator[ZaloBot]:
    """The real ZaloBot answering from `conv`, started against `fake`, stopped afterwards."""
    config = bot_config(fake, **overrides)
    async with ZaloBotAPI(
        config.token, config.base_url, retry=config.retry, timeout=timeout
    ) as api:
        bot = ZaloBot(conv, api, config)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()
