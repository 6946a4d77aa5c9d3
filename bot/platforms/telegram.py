"""The Telegram adapter: python-telegram-bot in front of the conversation core.

Thin on purpose: handlers turn an update into an `Incoming`, ask the core (in a worker
thread, since it is synchronous and may block during a reload) and send what it renders to.
Every word the user reads comes from the core, except the apology after an unexpected error.

Run with `run(conv, settings)`: long polling by default, a webhook (aiohttp, secret token
compared in constant time) when DE06_WEBHOOK_URL is set. The webhook server is our own
aiohttp application feeding `Application.update_queue`, as in python-telegram-bot's
"custom webhook" example, so /healthz and /metrics (bot/platforms/http.py) can share it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import signal
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackContext,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import logsafe, messages, metrics
from bot.health import POLLING, WEBHOOK, Health
from bot.models import Attachment, AttachmentKind, Incoming, Reply, ReplyKind
from bot.platforms.http import SideServer, SideSettings, side_server
from bot.render.telegram import render
from index.errors import ConfigError, PlatformError

if TYPE_CHECKING:
    from telegram import Bot

    from bot.core import Conversation, Settings

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
REMINDER_INTERVAL = 60.0  # seconds
TYPING_DELAY = 0.5  # seconds before an answer still being prepared shows "typing…"
CONNECTION_POOL = 16  # httpx's default (256) costs time checking idle connections
SEND_ATTEMPTS = 4  # for 5xx and timeouts; 429s are waited out by the rate limiter first
RATE_LIMIT_RETRIES = 5
MAX_CONCURRENT_UPDATES = 256
WEBHOOK_MAX_BODY = 1024 * 1024

_CONV = "conv"
_HEALTH = "health"
_T = TypeVar("_T")
Context = CallbackContext[Any, Any, Any, Any]


# --------------------------------------------------------------------------- building


def build_application(
    conv: Conversation,
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    rate_limiter: bool = True,
    health: Health | None = None,
) -> Application:
    """An application wired to `conv`, not yet started (see `running`).

    `health` (one is made when not given) learns of every successful getUpdates.
    """
    logsafe.install(token)
    health = health or Health(PLATFORM)
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
        .connection_pool_size(CONNECTION_POOL)
        .get_updates_request(PollRequest(health))
        .post_init(_post_init)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    app = builder.build()
    app.bot_data[_CONV] = conv
    app.bot_data[_HEALTH] = health
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, on_document))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE, on_other))
    app.add_error_handler(on_error)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            send_reminders, interval=REMINDER_INTERVAL, first=1.0, name="reminders"
        )
    return app


def health_of(app: Application) -> Health:
    return app.bot_data[_HEALTH]


class PollRequest(HTTPXRequest):
    """The HTTP client of getUpdates (and nothing else): a 200 is a successful poll.

    python-telegram-bot polls inside its Updater; its request object is the one place
    that sees every poll, the empty ones included.
    """

    def __init__(self, health: Health) -> None:
        super().__init__(connection_pool_size=1)  # what the builder would make by default
        self._health = health

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 200:
            self._health.contact()
        return code, payload


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat, one after another.

    A slow question (or a reload) must not hold up other officials, but one person's
    messages must be answered in the order they were sent.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: locks are created per chat on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: unused locks are dropped by the weak dictionary."""


async def _post_init(app: Application) -> None:
    """Publish the command menu; a refused menu must not keep the bot from answering."""
    conv: Conversation = app.bot_data[_CONV]
    commands = [BotCommand(name, description) for name, description in conv.commands()]
    try:
        await app.bot.set_my_commands(commands)
    except TelegramError:
        log.exception("set_my_commands failed; the bot runs without a command menu")


# --------------------------------------------------------------------------- handlers


async def on_text(update: Update, context: Context) -> None:
    """Commands and questions: private chats always, groups only when addressed."""
    message = update.effective_message
    if message is None:
        return
    incoming = incoming_from_message(message, context.bot.id, context.bot.username)
    if incoming is not None:
        await _answer(context, incoming, message)


async def on_button(update: Update, context: Context) -> None:
    """A button press is the core command in its callback data, as if typed."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except TelegramError as exc:  # a press older than Telegram's window: still answer it
        log.info("answerCallbackQuery failed: %s", exc)
    message = query.message
    if message is None or not query.data:
        return
    incoming = Incoming(
        platform=PLATFORM,
        chat_id=str(message.chat.id),
        user_id=str(query.from_user.id),
        text=query.data,
        is_group=message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
        addressed=True,
        message_id=str(message.message_id),
    )
    await _answer(context, incoming)


async def on_document(update: Update, context: Context) -> None:
    """An admin's document for the knowledge base: allowed by the core *before* download."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    incoming = incoming_from_message(message, context.bot.id, context.bot.username)
    if incoming is None or not incoming.addressed:
        return  # files shared in a group among people: not for us, never downloaded
    conv: Conversation = context.bot_data[_CONV]
    document = message.document
    filename = document.file_name or "tai-lieu"
    size = document.file_size
    file = None
    if size is None:  # not announced: ask Telegram, still without downloading
        file = await context.bot.get_file(document.file_id)
        size = file.file_size or 0
    refusal = await asyncio.to_thread(conv.upload_check, incoming, filename, size)
    if refusal is not None:
        await send_reply(context.bot, incoming.chat_id, refusal, reply_to=_reply_to(incoming))
        return
    await _typing(context.bot, incoming.chat_id)
    file = file or await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    reply = await asyncio.to_thread(conv.upload, incoming, filename, data)
    await send_reply(context.bot, incoming.chat_id, reply, reply_to=_reply_to(incoming))


async def on_other(update: Update, context: Context) -> None:
    """Photos, stickers, voice… in a private chat: say what the assistant can read."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        conv: Conversation = context.bot_data[_CONV]
        incoming = Incoming(PLATFORM, str(chat.id), str(user.id if user else chat.id), "")
        await send_reply(context.bot, chat.id, conv.unsupported(incoming))


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update; tell the person, briefly, that it failed."""
    shown = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error("error while handling update %s", shown, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    apology = Reply(ReplyKind.ERROR, [messages.text_block(messages.INTERNAL_ERROR)])
    try:
        await send_reply(context.bot, chat.id, apology)  # with retries, like every answer
    except TelegramError:
        log.warning("could not send the apology to chat %s", chat.id, exc_info=True)


async def send_reminders(context: Context) -> None:
    """Send due reminders for Telegram chats; mark each sent only once Telegram took it.

    A chat that blocked the bot or no longer exists will never accept it: that reminder is
    marked sent (and logged) so it is not retried every minute forever.
    """
    conv: Conversation = context.bot_data[_CONV]
    await deliver_reminders(context.bot, conv, conv.now())


async def deliver_reminders(bot: Bot, conv: Conversation, now: datetime) -> int:
    """Send the Telegram reminders due at `now`; returns how many were sent."""
    due = await asyncio.to_thread(conv.due_reminders, now)
    sent = 0
    for item in due:
        if item.platform != PLATFORM:
            continue
        try:
            await send_reply(bot, item.chat_id, item.reply)
            sent += 1
        except (Forbidden, BadRequest) as exc:
            log.warning("reminder %s to chat %s undeliverable: %s", item.key, item.chat_id, exc)
            await asyncio.to_thread(conv.mark_reminder_sent, item.key, delivered=False)
            continue
        except TelegramError as exc:
            log.warning("reminder %s to chat %s will be retried: %s", item.key, item.chat_id, exc)
            continue
        await asyncio.to_thread(conv.mark_reminder_sent, item.key)
    return sent


# --------------------------------------------------------------------------- helpers


def incoming_from_message(message: Message, bot_id: int, bot_username: str) -> Incoming | None:
    """The core's view of a message; None for a command meant for another bot.

    In a group the bot is addressed by a command, an @mention or text mention of it, or a
    reply to one of its messages; the mention itself is removed from the question.
    """
    text = message.text if message.text is not None else (message.caption or "")
    chat = message.chat
    is_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    addressed = not is_group
    entities = message.entities if message.text is not None else message.caption_entities
    if any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities):
        head, _, rest = text.partition(" ")
        command, _, target = head.partition("@")
        if target and target.lower() != bot_username.lower():
            return None
        text = f"{command} {rest}".strip()
        addressed = True
    else:
        entities = message.parse_entities() if message.text else message.parse_caption_entities()
        for entity, shown in entities.items():
            if _mentions_bot(entity, shown, bot_id, bot_username):
                addressed = True
                text = text.replace(shown, " ", 1)
        text = " ".join(text.split())
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        addressed = True
    sender = message.from_user or message.sender_chat or chat
    return Incoming(
        platform=PLATFORM,
        chat_id=str(chat.id),
        user_id=str(sender.id),
        text=text,
        is_group=is_group,
        addressed=addressed,
        message_id=str(message.message_id),
    )


def _mentions_bot(entity: MessageEntity, shown: str, bot_id: int, bot_username: str) -> bool:
    if entity.type == MessageEntity.MENTION:
        return shown.lower() == f"@{bot_username}".lower()
    if entity.type == MessageEntity.TEXT_MENTION:
        return entity.user is not None and entity.user.id == bot_id
    return False


async def _answer(context: Context, incoming: Incoming, message: Message | None = None) -> None:
    conv: Conversation = context.bot_data[_CONV]
    typing = (
        asyncio.create_task(_typing_if_slow(context.bot, incoming.chat_id))
        if incoming.addressed
        else None
    )
    try:
        reply = await asyncio.to_thread(conv.handle, incoming)
    finally:
        if typing is not None:
            typing.cancel()
    reply_to = message.message_id if message is not None and incoming.is_group else None
    await send_reply(context.bot, incoming.chat_id, reply, reply_to=reply_to)


def _reply_to(incoming: Incoming) -> int | None:
    """In a group, answers quote the question so the thread stays readable."""
    return int(incoming.message_id) if incoming.is_group and incoming.message_id else None


async def send_reply(
    bot: Bot, chat_id: str | int, reply: Reply, reply_to: int | None = None
) -> int:
    """Send a reply as Telegram HTML messages, in order, then its files; returns how many
    messages were sent (files included)."""
    if reply.kind is ReplyKind.IGNORED:
        return 0
    messages = render(reply)
    if reply.files and not messages:
        quote_first: int | None = reply_to
    else:
        quote_first = None
    for i, message in enumerate(messages):
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in message.buttons
                ]
            )
            if message.buttons
            else None
        )
        quote = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0
            else None
        )
        html = message.html
        try:
            await with_retries(
                lambda html=html, markup=markup, quote=quote: bot.send_message(
                    chat_id=int(chat_id),
                    text=html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=quote,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )
        except TelegramError:
            metrics.send_failed(PLATFORM)
            raise
        metrics.message_sent(PLATFORM)
    for attachment in reply.files:
        await send_file(bot, chat_id, attachment, reply_to=quote_first)
        quote_first = None
    return len(messages) + len(reply.files)


async def send_file(
    bot: Bot, chat_id: str | int, attachment: Attachment, reply_to: int | None = None
) -> None:
    """One file of a reply: sendPhoto for a picture, sendDocument for anything else."""
    quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None

    def call():
        # A fresh InputFile per attempt: a retried upload must send the bytes again.
        file = InputFile(attachment.data, filename=attachment.name)
        if attachment.kind is AttachmentKind.PHOTO:
            return bot.send_photo(chat_id=int(chat_id), photo=file, reply_parameters=quote)
        return bot.send_document(chat_id=int(chat_id), document=file, reply_parameters=quote)

    try:
        await with_retries(call)
    except TelegramError:
        metrics.send_failed(PLATFORM)
        raise
    metrics.message_sent(PLATFORM)


async def with_retries(call: Callable[[], Awaitable[_T]], attempts: int = SEND_ATTEMPTS) -> _T:
    """Retry what may succeed later (5xx, timeouts, an outlasting 429); never a 400/403.

    A timed-out send may have reached Telegram, so a retry can duplicate a message:
    answering twice is better than not answering.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            wait = exc.retry_after
            delay = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
        except NetworkError as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            delay = 0.5 * 2 ** (attempt - 1)
            log.warning("Telegram API failed (%s), retry %d in %.1fs", exc, attempt, delay)
        await asyncio.sleep(delay)
    raise PlatformError("unreachable")  # pragma: no cover - the loop returns or raises


async def _typing_if_slow(bot: Bot, chat_id: str | int) -> None:
    """Show "typing…" only when the answer is not ready at once (a reload, a busy machine).

    Most answers take milliseconds; a chat action for each would double the Bot API calls.
    """
    await asyncio.sleep(TYPING_DELAY)
    await _typing(bot, chat_id)


async def _typing(bot: Bot, chat_id: str | int) -> None:
    """Best effort: a missing "typing…" must never cost an answer."""
    with suppress(TelegramError):
        await bot.send_chat_action(chat_id=int(chat_id), action=ChatAction.TYPING)


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8443


@asynccontextmanager
async def running(
    app: Application,
    *,
    webhook: WebhookConfig | None = None,
    poll_timeout: float = 10.0,
    side: SideServer | None = None,
) -> AsyncIterator[Application]:
    """Start the bot (polling or webhook) for the duration of the block, then stop it
    gracefully: updates already received are processed before shutdown. `side` serves
    /healthz and /metrics meanwhile, inside the webhook server when on its address."""
    health_of(app).mode = WEBHOOK if webhook is not None else POLLING
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        runner: web.AppRunner | None = None
        if webhook is None:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=int(poll_timeout), allowed_updates=ALLOWED_UPDATES
            )
        else:
            runner = await _start_webhook(app, webhook, side)
        try:
            if side is not None:
                await side.start()
            yield app
        finally:
            if side is not None:
                await side.stop()
            if runner is not None:
                await runner.cleanup()
            elif app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()


async def _start_webhook(
    app: Application, config: WebhookConfig, side: SideServer | None = None
) -> web.AppRunner:
    secret = config.secret.encode()
    health = health_of(app)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=403)
        health.contact()
        try:
            update = Update.de_json(await request.json(), app.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await app.update_queue.put(update)
        return web.Response()

    server = web.Application(client_max_size=WEBHOOK_MAX_BODY)
    server.router.add_post(urlsplit(config.url).path or "/", receive)
    if side is not None:
        side.join(server, config.listen, config.port)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, config.listen, config.port).start()
    await app.bot.set_webhook(
        config.url, secret_token=config.secret, allowed_updates=ALLOWED_UPDATES
    )
    return runner


def run(conv: Conversation, settings: Settings | None = None) -> None:
    """Serve until SIGINT/SIGTERM; configuration comes from the environment.

    TELEGRAM_BOT_TOKEN (required); DE06_TELEGRAM_BASE_URL / DE06_TELEGRAM_BASE_FILE_URL for
    another Bot API server; DE06_WEBHOOK_URL (+ DE06_WEBHOOK_SECRET, DE06_WEBHOOK_LISTEN,
    DE06_WEBHOOK_PORT) to receive updates by webhook instead of long polling; DE06_HTTP_LISTEN
    (+ DE06_HEALTH_STALE_AFTER) for /healthz and /metrics. `settings`
    is accepted for symmetry with the other adapters; the core already holds it.
    """
    env = os.environ
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("Chưa đặt TELEGRAM_BOT_TOKEN: không thể chạy bot Telegram.")
    side_settings = SideSettings.from_env(env)
    health = Health(PLATFORM, stale_after=side_settings.stale_after)
    app = build_application(
        conv,
        token,
        base_url=env.get("DE06_TELEGRAM_BASE_URL") or None,
        base_file_url=env.get("DE06_TELEGRAM_BASE_FILE_URL") or None,
        health=health,
    )
    webhook = None
    if env.get("DE06_WEBHOOK_URL"):
        webhook = WebhookConfig(
            url=env["DE06_WEBHOOK_URL"],
            secret=env.get("DE06_WEBHOOK_SECRET") or secrets.token_urlsafe(32),
            listen=env.get("DE06_WEBHOOK_LISTEN", "0.0.0.0"),
            port=int(env.get("DE06_WEBHOOK_PORT", "8443")),
        )
    asyncio.run(_serve(app, webhook, side_server(conv, health, side_settings)))


async def _serve(
    app: Application, webhook: WebhookConfig | None, side: SideServer | None = None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(app, webhook=webhook, side=side):
        log.info(
            "Telegram bot @%s running (%s)", app.bot.username, "webhook" if webhook else "polling"
        )
        await stop.wait()
    log.info("Telegram bot stopped")


__all__ = [
    "build_application",
    "incoming_from_message",
    "run",
    "running",
    "send_reply",
]
