"""The Zalo adapter: Zalo Bot API updates in, the core's replies out as plain text.

Long polling by default; a webhook endpoint when DE06_ZALO_WEBHOOK_URL is set (the two
exclude each other on Zalo's side). Whatever the transport, an update goes through
`ZaloBot.dispatch`, which only parses, drops repeats and queues it, so a webhook can
answer Zalo at once. Each chat has its own queue and worker, so one sender's messages
are answered in order while different chats are served side by side.

Environment:
    ZALO_BOT_TOKEN              the bot token (required)
    DE06_ZALO_BASE_URL          another API server (tests use a fake one on 127.0.0.1)
    DE06_ZALO_WEBHOOK_URL       public HTTPS URL Zalo posts updates to; enables webhook mode
    DE06_ZALO_WEBHOOK_SECRET    8-256 characters; a random one per run when unset
    DE06_ZALO_LISTEN            host:port the webhook server binds (default 0.0.0.0:8080)
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from bot import messages
from bot.models import Incoming, ReplyKind
from bot.platforms.zalo_api import DEFAULT_BASE_URL, RetryPolicy, ZaloApiError, ZaloBotAPI
from bot.platforms.zalo_updates import (
    BotIdentity,
    SeenIds,
    ZaloMessage,
    is_addressed,
    parse_update,
    strip_mention,
)
from bot.render.text import render
from index.errors import ConfigError, PlatformError

if TYPE_CHECKING:
    from bot.core import Conversation

log = logging.getLogger(__name__)

PLATFORM = "zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_WEBHOOK_BODY = 256 * 1024
STOP_GRACE = 30.0  # seconds to finish answering received messages on shutdown


@dataclass(frozen=True)
class ZaloConfig:
    token: str
    base_url: str = DEFAULT_BASE_URL
    webhook_url: str = ""
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    listen_host: str = "0.0.0.0"
    listen_port: int = 8080
    poll_timeout: float = 30.0
    reminder_interval: float = 60.0
    typing_delay: float = 1.0  # answers slower than this get a "typing…" first
    retry: RetryPolicy = RetryPolicy()
    poll_backoff: RetryPolicy = RetryPolicy(base_delay=1.0, max_delay=60.0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ZaloConfig:
        env = os.environ if env is None else env
        token = env.get("ZALO_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "Chưa có ZALO_BOT_TOKEN: hãy lấy token trong Zalo Bot Creator và đặt vào biến "
                "môi trường ZALO_BOT_TOKEN trước khi chạy `de06 serve zalo`."
            )
        host, _, port = env.get("DE06_ZALO_LISTEN", "0.0.0.0:8080").rpartition(":")
        if not port.isdigit():
            raise ConfigError("DE06_ZALO_LISTEN phải có dạng máy:cổng, ví dụ 0.0.0.0:8080.")
        secret = env.get("DE06_ZALO_WEBHOOK_SECRET", "").strip()
        if secret and not 8 <= len(secret) <= 256:
            raise ConfigError("DE06_ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự.")
        extra = {"webhook_secret": secret} if secret else {}
        return cls(
            token=token,
            base_url=env.get("DE06_ZALO_BASE_URL", "").strip() or DEFAULT_BASE_URL,
            webhook_url=env.get("DE06_ZALO_WEBHOOK_URL", "").strip(),
            listen_host=host or "0.0.0.0",
            listen_port=int(port),
            **extra,
        )

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or "/"


class ZaloBot:
    """Runs one Zalo bot over a `Conversation`: start(), then stop() when done."""

    def __init__(self, conv: Conversation, api: ZaloBotAPI, config: ZaloConfig) -> None:
        self._conv = conv
        self._api = api
        self._config = config
        self.identity = BotIdentity(id="", name="")
        self._seen = SeenIds()
        self._queues: dict[str, asyncio.Queue[ZaloMessage]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self.webhook_port: int | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        self.identity = BotIdentity.from_get_me(await self._api.get_me())
        log.info("Zalo: bot %s (%s) đã sẵn sàng", self.identity.name, self.identity.id)
        if self._config.webhook_url:
            await self._start_webhook()
        else:
            await self._leave_webhook()
            self._tasks.append(asyncio.create_task(self._poll_forever(), name="zalo-poll"))
        self._tasks.append(asyncio.create_task(self._remind_forever(), name="zalo-remind"))

    async def wait(self) -> None:
        """Return when a background task ends: only a fatal error (e.g. a bad token) does."""
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop taking messages, finish answering those already received, then stop.

        Polling and reminders stop first (and the webhook stops accepting), so nothing new
        arrives; the per-chat workers get `grace` seconds to answer what they hold.
        """
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            log.warning("Zalo: hết %ss chờ trả lời nốt, dừng %d chat", grace, len(self._workers))
        workers = list(self._workers)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every queued message has been answered (used by tests and shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers), return_exceptions=True)

    # -- intake ----------------------------------------------------------------------

    def dispatch(self, body: Any) -> bool:
        """Queue an update for its chat; False when it is not a new message to answer.

        Synchronous on purpose: the webhook handler answers Zalo right after it.
        """
        message = parse_update(body)
        if message is None:
            log.debug("Zalo: bỏ qua một cập nhật không phải tin nhắn")
            return False
        if message.sender_is_bot:
            return False
        if self._seen.check_and_add(message.message_id):
            log.info("Zalo: tin %s đã nhận rồi, bỏ qua bản lặp", message.message_id)
            return False
        queue = self._queues.get(message.chat_id)
        if queue is None:
            queue = self._queues[message.chat_id] = asyncio.Queue()
            worker = asyncio.create_task(self._drain(message.chat_id, queue))
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        queue.put_nowait(message)
        return True

    async def _drain(self, chat_id: str, queue: asyncio.Queue[ZaloMessage]) -> None:
        try:
            while True:
                try:
                    message = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    await self._answer(message)
                except Exception:
                    log.exception("Zalo: không trả lời được tin %s", message.message_id)
        finally:
            # No await between the empty check and this: dispatch cannot slip a message in.
            if self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    # -- answering -------------------------------------------------------------------

    async def _answer(self, message: ZaloMessage) -> None:
        addressed = is_addressed(message, self.identity)
        text = strip_mention(message.text, self.identity) if message.is_group else message.text
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=message.chat_id,
            user_id=message.sender_id,
            text=text,
            is_group=message.is_group,
            addressed=addressed,
            message_id=message.message_id,
        )
        if not message.is_text:
            log.info("Zalo: nhận %s trong chat %s", message.event_name, message.chat_id)
            reply = self._conv.unsupported(incoming)
            if reply.kind is not ReplyKind.IGNORED:
                await self._send(message.chat_id, render(reply))
            return
        typing = asyncio.create_task(self._typing(message.chat_id)) if addressed else None
        try:
            reply = await asyncio.to_thread(self._conv.handle, incoming)
        except Exception:
            log.exception("Zalo: lỗi khi xử lý tin %s", message.message_id)
            await self._send(message.chat_id, [messages.INTERNAL_ERROR])
            return
        finally:
            if typing is not None:
                typing.cancel()
        if reply.kind is ReplyKind.IGNORED:
            return
        await self._send(message.chat_id, render(reply))

    async def _typing(self, chat_id: str) -> None:
        """Show "typing…" only if the answer is not ready within `typing_delay`."""
        await asyncio.sleep(self._config.typing_delay)
        try:
            await self._api.send_chat_action(chat_id, "typing")
        except PlatformError as exc:
            log.warning("Zalo: không gửi được trạng thái đang gõ: %s", exc)

    async def _send(self, chat_id: str, texts: list[str]) -> bool:
        """Send messages in order; stop at the first failure so none arrives out of order."""
        for text in texts:
            if not text.strip():
                continue
            try:
                await self._api.send_message(chat_id, text)
            except PlatformError as exc:
                log.error("Zalo: không gửi được tin tới chat %s: %s", chat_id, exc)
                return False
        return True

    # -- reminders -------------------------------------------------------------------

    async def send_due_reminders(self, now: datetime | None = None) -> int:
        """Send the core's due Zalo reminders; only delivered ones are marked sent."""
        due = await asyncio.to_thread(self._conv.due_reminders, now)
        sent = 0
        for outgoing in due:
            if outgoing.platform != PLATFORM:
                continue
            if await self._send(outgoing.chat_id, render(outgoing.reply)):
                await asyncio.to_thread(self._conv.mark_reminder_sent, outgoing.key)
                sent += 1
        return sent

    async def _remind_forever(self) -> None:
        while True:
            await asyncio.sleep(self._config.reminder_interval)
            try:
                await self.send_due_reminders()
            except Exception:
                log.exception("Zalo: lỗi khi gửi nhắc hạn; sẽ thử lại ở lượt sau")

    # -- polling ---------------------------------------------------------------------

    async def _leave_webhook(self) -> None:
        """getUpdates does not work while a webhook is registered: remove a stale one."""
        info = await self._api.get_webhook_info()
        if info.get("url"):
            log.warning("Zalo: đang có webhook đăng ký; gỡ nó để nhận tin bằng long polling")
            await self._api.delete_webhook()

    async def _poll_forever(self) -> None:
        failures = 0
        while True:
            try:
                update = await self._api.get_updates(self._config.poll_timeout)
            except ZaloApiError as exc:
                if exc.unauthorized:
                    raise
                wait = self._config.poll_backoff.delay(min(failures, 16))
                failures += 1
                log.warning("Zalo: nhận tin lỗi (%s); thử lại sau %.0f giây", exc, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            if update is not None:
                self.dispatch(update)

    # -- webhook ---------------------------------------------------------------------

    async def _start_webhook(self) -> None:
        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(self._config.webhook_path, self._on_webhook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._config.listen_host, self._config.listen_port)
        await site.start()
        self.webhook_port = self._runner.addresses[0][1]
        await self._api.set_webhook(self._config.webhook_url, self._config.webhook_secret)
        log.info("Zalo: nhận tin qua webhook ở cổng %d", self.webhook_port)

    async def _on_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._config.webhook_secret.encode()):
            log.warning("Zalo: từ chối một yêu cầu webhook sai mã bí mật")
            return web.json_response({"ok": False}, status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False}, status=400)
        self.dispatch(body)
        return web.json_response({"ok": True})


async def serve(conv: Conversation, config: ZaloConfig, stop: asyncio.Event | None = None) -> None:
    """Run the bot until `stop` is set (or a fatal API error, which is raised)."""
    stop = stop or asyncio.Event()
    async with ZaloBotAPI(config.token, config.base_url, retry=config.retry) as api:
        bot = ZaloBot(conv, api, config)
        try:
            await bot.start()
            stopping = asyncio.create_task(stop.wait())
            running = asyncio.create_task(bot.wait())
            await asyncio.wait({stopping, running}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if running.done():
                running.result()
            running.cancel()
        finally:
            await bot.stop()


def run(conv: Conversation, settings: Any = None) -> None:
    """Entry point for `de06 serve zalo`; Zalo's own settings come from the environment."""
    config = ZaloConfig.from_env()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await serve(conv, config, stop)

    asyncio.run(main())
