"""The Zalo adapter: Zalo Bot API updates in, the core's replies out as plain text.

Long polling by default; a webhook endpoint when DE06_ZALO_WEBHOOK_URL is set (the two
exclude each other on Zalo's side). Whatever the transport, an update goes through
`ZaloBot.receive`, which parses it, drops repeats, records it in the store's inbox and
queues it, so a webhook can answer Zalo at once. Each chat has its own queue and worker, so
one sender's messages are answered in order while different chats are served side by side.

Zalo keeps no delivery offset: an update fetched by a process that dies is gone from Zalo.
So a message is recorded (index/inbox.py) before it is answered and marked handled after
the answer is sent; a restart answers what was recorded but not handled, and drops a
redelivered message whose id is already there (ids are kept 24 hours).

Environment:
    ZALO_BOT_TOKEN              the bot token (required)
    DE06_ZALO_BASE_URL          another API server (tests use a fake one on 127.0.0.1)
    DE06_ZALO_WEBHOOK_URL       public HTTPS URL Zalo posts updates to; enables webhook mode
    DE06_ZALO_WEBHOOK_SECRET    8-256 characters; a random one per run when unset
    DE06_ZALO_LISTEN            host:port the webhook server binds (default 0.0.0.0:8080)
    DE06_HTTP_LISTEN            host:port of /healthz and /metrics (bot/platforms/http.py)
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web

from bot import messages, metrics
from bot.health import POLLING, WEBHOOK, Health
from bot.models import Incoming, ReplyKind
from bot.platforms.http import Listen, SideServer, SideSettings, side_server
from bot.platforms.zalo_api import (
    DEFAULT_BASE_URL,
    RetryPolicy,
    WebhookInfo,
    ZaloApiError,
    ZaloBotAPI,
)
from bot.platforms.zalo_updates import (
    BotIdentity,
    SeenIds,
    ZaloMessage,
    is_addressed,
    parse_update,
    strip_mention,
    unwrap,
)
from bot.render.text import render
from index.errors import ConfigError, PlatformError
from index.inbox import Inbox

if TYPE_CHECKING:
    from bot.core import Conversation

log = logging.getLogger(__name__)

PLATFORM = "zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_WEBHOOK_BODY = 256 * 1024
STOP_GRACE = 30.0  # seconds to finish answering received messages on shutdown
_T = TypeVar("_T")


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
    side: SideSettings = SideSettings()  # DE06_HTTP_LISTEN: /healthz and /metrics

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ZaloConfig:
        env = os.environ if env is None else env
        token = env.get("ZALO_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "Chưa có ZALO_BOT_TOKEN: hãy lấy token trong Zalo Bot Creator và đặt vào biến "
                "môi trường ZALO_BOT_TOKEN trước khi chạy `de06 serve zalo`."
            )
        listen = Listen.parse(env.get("DE06_ZALO_LISTEN", "0.0.0.0:8080"), "DE06_ZALO_LISTEN")
        secret = env.get("DE06_ZALO_WEBHOOK_SECRET", "").strip()
        if secret and not 8 <= len(secret) <= 256:
            raise ConfigError("DE06_ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự.")
        extra = {"webhook_secret": secret} if secret else {}
        return cls(
            token=token,
            base_url=env.get("DE06_ZALO_BASE_URL", "").strip() or DEFAULT_BASE_URL,
            webhook_url=env.get("DE06_ZALO_WEBHOOK_URL", "").strip(),
            listen_host=listen.host,
            listen_port=listen.port,
            side=SideSettings.from_env(env),
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
        self.health = Health(
            PLATFORM, WEBHOOK if config.webhook_url else POLLING, config.side.stale_after
        )
        self.side: SideServer | None = side_server(conv, self.health, config.side)
        self._inbox = Inbox(conv.store.path, PLATFORM)
        # One thread for the inbox: its waits on a locked store never hold up the
        # threads that answer questions.
        self._inbox_thread = ThreadPoolExecutor(1, thread_name_prefix="zalo-inbox")
        self._seen = SeenIds()
        self._queues: dict[str, asyncio.Queue[ZaloMessage]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self._stopped = False
        self.webhook_port: int | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self._learn_identity()
        await self._recover()
        if self._config.webhook_url:
            await self._start_webhook()
        else:
            await self._leave_webhook()
            self._tasks.append(asyncio.create_task(self._poll_forever(), name="zalo-poll"))
        if self.side is not None:
            await self.side.start()
        self._tasks.append(asyncio.create_task(self._remind_forever(), name="zalo-remind"))

    async def wait(self) -> None:
        """Return when a background task ends: only a fatal error (e.g. a bad token) does."""
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop taking messages, finish answering those already received, then stop.

        Polling and reminders stop first (and the webhook stops accepting), so nothing new
        arrives; the per-chat workers get `grace` seconds to answer what they hold. What
        they could not answer stays unanswered in the inbox, for the next start.
        """
        if self._stopped:
            return
        self._stopped = True
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
        await self._in_inbox(self._inbox.flush)
        await self._in_inbox(self._inbox.close)
        self._inbox_thread.shutdown(wait=True)
        if self.side is not None:
            await self.side.stop()

    async def idle(self) -> None:
        """Wait until every queued message has been answered (used by tests and shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers), return_exceptions=True)

    # -- intake ----------------------------------------------------------------------

    async def receive(self, body: Any) -> bool:
        """Record an update and queue it for its chat; False when it is not a new message.

        Returns once the message is in the store's inbox (or the store could not take it
        within a quarter second: then it is answered all the same, from memory only).
        """
        message = self._accept(body)
        if message is None:
            return False
        if message.message_id:
            fresh = await self._in_inbox(self._inbox.record, message.message_id, unwrap(body))
            if fresh is False:
                log.info("Zalo: tin %s đã nhận trước khi khởi động lại, bỏ qua", message.message_id)
                return False
        self._enqueue(message)
        return True

    def _accept(self, body: Any) -> ZaloMessage | None:
        """The message in an update, unless it is none, the bot's own, or seen in this run."""
        message = parse_update(body)
        if message is None:
            log.debug("Zalo: bỏ qua một cập nhật không phải tin nhắn")
            return None
        if message.sender_is_bot:
            return None
        if self._seen.check_and_add(message.message_id):
            log.info("Zalo: tin %s đã nhận rồi, bỏ qua bản lặp", message.message_id)
            return None
        return message

    def _enqueue(self, message: ZaloMessage) -> None:
        queue = self._queues.get(message.chat_id)
        if queue is None:
            queue = self._queues[message.chat_id] = asyncio.Queue()
            worker = asyncio.create_task(self._drain(message.chat_id, queue))
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        queue.put_nowait(message)

    async def _recover(self) -> None:
        """Answer what a previous run received but did not answer (it was killed)."""
        pending = await self._in_inbox(self._inbox.unanswered)
        for body in pending:
            message = self._accept(body)
            if message is not None:
                self._enqueue(message)
        if pending:
            log.warning("Zalo: trả lời %d tin đã nhận trước lần dừng trước", len(pending))
        await self._in_inbox(self._inbox.prune)

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
                if message.message_id:  # answered, or given up on: never again
                    await self._in_inbox(self._inbox.handled, message.message_id)
        finally:
            # No await between the empty check and this: receive cannot slip a message in.
            if self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    async def _in_inbox(self, call: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._inbox_thread, call, *args)

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
                metrics.send_failed(PLATFORM)
                log.error("Zalo: không gửi được tin tới chat %s: %s", chat_id, exc)
                return False
            metrics.message_sent(PLATFORM)
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
            if not self.identity.id:
                await self._learn_identity()
            try:
                await self.send_due_reminders()
            except Exception:
                log.exception("Zalo: lỗi khi gửi nhắc hạn; sẽ thử lại ở lượt sau")

    # -- identity & polling ----------------------------------------------------------

    async def _learn_identity(self) -> None:
        """getMe; only a refused token stops the bot, anything else is tried again later.

        Without the bot's name, private chats work as usual; in groups the bot then answers
        commands and replies to it, not mentions of its name.
        """
        try:
            self.identity = await self._api.get_me()
        except ZaloApiError as exc:
            if exc.unauthorized:
                raise
            log.warning("Zalo: chưa lấy được thông tin bot (%s); sẽ thử lại sau", exc)
            return
        if self.identity.id:
            log.info("Zalo: bot %s (%s) đã sẵn sàng", self.identity.name, self.identity.id)

    async def _leave_webhook(self) -> None:
        """getUpdates does not work while a webhook is registered: remove a stale one.

        When getWebhookInfo's answer says nothing readable, the webhook is removed anyway:
        deleting none costs a call, polling against a forgotten one costs every message.
        """
        try:
            info = await self._api.get_webhook_info()
        except ZaloApiError as exc:
            if exc.unauthorized:
                raise
            log.warning("Zalo: không đọc được trạng thái webhook (%s)", exc)
            info = WebhookInfo(None)
        if info.url == "":
            return
        if info.url is None:
            log.info("Zalo: không rõ có webhook đăng ký không; gỡ cho chắc trước khi polling")
        else:
            log.warning("Zalo: đang có webhook đăng ký; gỡ nó để nhận tin bằng long polling")
        try:
            await self._api.delete_webhook()
        except ZaloApiError as exc:
            if exc.unauthorized:
                raise
            log.warning("Zalo: không gỡ được webhook (%s); polling vẫn thử tiếp", exc)

    async def _poll_forever(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self._api.get_updates(self._config.poll_timeout)
            except ZaloApiError as exc:
                if exc.unauthorized:
                    raise
                wait = self._config.poll_backoff.delay(min(failures, 16))
                failures += 1
                log.warning("Zalo: nhận tin lỗi (%s); thử lại sau %.0f giây", exc, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            self.health.contact()
            for update in updates:
                await self.receive(update)

    # -- webhook ---------------------------------------------------------------------

    async def _start_webhook(self) -> None:
        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(self._config.webhook_path, self._on_webhook)
        if self.side is not None:
            self.side.join(app, self._config.listen_host, self._config.listen_port)
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
        self.health.contact()
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False}, status=400)
        await self.receive(body)
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
