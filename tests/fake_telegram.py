"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the Telegram adapter.

It speaks real HTTP to the real python-telegram-bot stack (long polling included), keeps
everything the bot sent, and is *stricter* than Telegram where that catches our bugs: every
HTML message is parsed with Telegram's rules and rejected with a 400 (recorded in `errors`)
when a tag, an entity or a length is wrong. Tests queue updates built with the helpers
(`private_text`, `group_text`, `reply_to_bot`, `callback_query`, `document`) and wait for the
bot's messages with `wait_for_messages`. Faults (429 with retry_after, 500, slow answers) are
injected per method with `fail_next` / `delay_next`.

Usage::

    async with FakeTelegram() as fake:
        app = fake.application(conv)
        fake.queue(fake.private_text(user_id=1, text="căn cước là gì?"))
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly-xyzXYZ0123456789"
BOT_ID = 123456789
BOT_USERNAME = "de06_test_bot"
ADMIN_ID = 42  # the admin user the Telegram test fixtures configure
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64

Json = dict[str, Any]


class HtmlError(ValueError):
    """Telegram would refuse this text with "Bad Request: can't parse entities"."""


# --------------------------------------------------------------------------- Telegram HTML

_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
    "code", "pre", "a", "tg-spoiler", "span", "blockquote",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The message as a user sees it, or HtmlError where Telegram would return 400.

    Stricter than Telegram on one point: a bare `>` or an `&` that starts no entity is an
    error even where Telegram might guess, because the bot must escape every piece of text.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            tag = _TAG.match(text, i)
            if not tag:
                raise HtmlError(f"Unclosed or malformed tag at character {i}")
            closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(f'Unmatched end tag at character {i}, expected "</{name}>"')
                stack.pop()
            else:
                _check_start_tag(name, attrs, stack, i)
                stack.append(name)
            i = tag.end()
        elif ch == "&":
            entity = _ENTITY.match(text, i)
            if not entity:
                raise HtmlError(f"Unsupported or unescaped entity at character {i}")
            named, dec, hexa = entity.groups()
            code = int(dec) if dec else int(hexa, 16) if hexa else None
            if code is not None and not (0 < code <= 0x10FFFF):
                raise HtmlError(f"Invalid numeric entity at character {i}")
            out.append(_NAMED_ENTITIES[named] if named else chr(code or 0))
            i = entity.end()
        elif ch == ">":
            raise HtmlError(f"Unescaped '>' at character {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _check_start_tag(name: str, attrs: str, stack: list[str], at: int) -> None:
    if name not in _ALLOWED_TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at character {at}')
    values = {
        m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None)
        for m in _ATTR.finditer(attrs)
    }
    if name == "span" and values.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at character {at}')
    if "code" in stack or ("pre" in stack and name != "code"):
        raise HtmlError(f'Tag "{name}" inside code or pre at character {at}')
    if name == "blockquote" and "blockquote" in stack:
        raise HtmlError(f"Nested blockquote at character {at}")


def check_text(text: str, parse_mode: str | None) -> str:
    """Validate a message text the way sendMessage does; returns the visible text."""
    plain = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if not plain.strip():
        raise HtmlError("message text is empty")
    if utf16_len(plain) > MESSAGE_LIMIT:
        raise HtmlError("message is too long")
    return plain


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise HtmlError("reply markup must be an inline keyboard")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise HtmlError("button text is empty")
            data = button.get("callback_data")
            if data is not None and not (1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT):
                raise HtmlError("BUTTON_DATA_INVALID")


_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def check_commands(commands: Any) -> None:
    if not isinstance(commands, list) or len(commands) > 100:
        raise HtmlError("commands must be a list of at most 100")
    for c in commands:
        if not _COMMAND_NAME.match(c.get("command", "")):
            raise HtmlError(f"BOT_COMMAND_INVALID: {c.get('command')!r}")
        if not 1 <= len(c.get("description", "")) <= 256:
            raise HtmlError(f"BOT_COMMAND_DESCRIPTION_INVALID: {c.get('command')!r}")


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (sendDocument, sendPhoto)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class Sent:
    """A message the bot sent (or edited) successfully."""

    method: str
    chat_id: int
    message_id: int
    text: str  # as the user sees it: tags removed, entities decoded
    html: str  # as sent
    parse_mode: str | None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    reply_to: int | None = None
    file: Upload | None = None  # sendDocument / sendPhoto

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    def button(self, label_part: str) -> str:
        """The callback data of the first button whose label contains `label_part`."""
        for row in self.buttons:
            for label, data in row:
                if label_part in label:
                    return data
        raise KeyError(f"no button {label_part!r} in {self.button_labels}")


@dataclass
class ApiError:
    method: str
    description: str
    params: Json


@dataclass
class _Fault:
    status: int
    retry_after: int = 1
    delay: float = 0.0


class FakeTelegram:
    def __init__(self, token: str = TOKEN, bot_id: int = BOT_ID, username: str = BOT_USERNAME):
        self.token = token
        self.bot_user: Json = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Trợ lý Đề án 06",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[tuple[str, Json]] = []
        self.sent: list[Sent] = []
        self.errors: list[ApiError] = []
        self.commands: list[Json] = []
        self.callback_answers: list[Json] = []
        self.chat_actions: list[Json] = []
        self.downloads: list[str] = []
        self.blocked_chats: set[int] = set()
        self.webhook_deleted = False
        self.webhook: Json = {}  # the last setWebhook parameters, until deleteWebhook
        self.webhook_error = ""  # what getWebhookInfo reports as last_error_message
        self._updates: list[Json] = []
        self.confirmed_offset = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes, int]] = {}  # file_id -> (path, data, size)
        self._faults: dict[str, deque[_Fault]] = {}
        self._arrived = asyncio.Event()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._arrived.set()  # release pending long polls instead of waiting out their timeout
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def application(self, conv: Any, **options: Any) -> Any:
        """The real bot's `Application` for `conv`, pointed at this server (not started)."""
        from bot.platforms.telegram import build_application

        return build_application(
            conv, self.token, base_url=self.base_url, base_file_url=self.base_file_url, **options
        )

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ test controls

    def queue(self, *updates: Json) -> list[int]:
        """Make updates available to getUpdates; returns their update_ids."""
        ids = []
        for update in updates:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            ids.append(update["update_id"])
        self._arrived.set()
        self._arrived = asyncio.Event()
        return ids

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        return sum(1 for u in self._updates if u["update_id"] >= self.confirmed_offset)

    def fail_next(self, method: str, times: int = 1, status: int = 429, retry_after: int = 1):
        """Answer the next `times` calls of `method` with `status` (429 carries retry_after)."""
        faults = self._faults.setdefault(method.lower(), deque())
        faults.extend(_Fault(status, retry_after) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next calls of `method` only after `seconds` (to provoke client timeouts)."""
        faults = self._faults.setdefault(method.lower(), deque())
        faults.extend(_Fault(200, delay=seconds) for _ in range(times))

    def add_file(self, data: bytes, filename: str = "file.txt", size: int | None = None) -> Json:
        """Store a file for getFile/download and return the Document object describing it.

        `size` overrides the declared file_size (e.g. to claim 50 MB without sending it).
        """
        n = len(self._files) + 1
        file_id = f"FILE{n:04d}"
        declared = len(data) if size is None else size
        self._files[file_id] = (f"documents/file_{n}{_suffix(filename)}", data, declared)
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_name": filename,
            "mime_type": "application/octet-stream",
            "file_size": declared,
        }

    def messages_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Json]:
        return [p for m, p in self.calls if m == method.lower()]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        """Wait until `predicate()` holds; fail the test (with context) if it never does."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"condition not met in {timeout}s; sent={[s.text[:80] for s in self.sent]}"
                    f" errors={self.errors}"
                )
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass

    async def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 15):
        """The first `count` messages sent to `chat_id`, once they have all arrived."""
        await self.wait_for(lambda: len(self.messages_to(chat_id)) >= count, timeout)
        return self.messages_to(chat_id)[:count]

    async def wait_idle(self, timeout: float = 15) -> None:
        """Wait until the bot has fetched and confirmed every queued update."""
        await self.wait_for(lambda: self.pending_updates == 0, timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ update builders

    def user(self, user_id: int, first_name: str = "Lan", username: str | None = None) -> Json:
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def private_text(self, user_id: int, text: str, *, first_name: str = "Lan") -> Json:
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        return self._message_update(chat, self.user(user_id, first_name), text)

    def group_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        mention: bool = False,
        text_mention: bool = False,
    ) -> Json:
        """A group message; `mention` prefixes "@botname ", `text_mention` the bot's name
        linked to its user (how clients mention users without a username)."""
        prefix_entities: list[Json] = []
        if mention:
            text = f"@{self.bot_user['username']} {text}"
        elif text_mention:
            name = self.bot_user["first_name"]
            prefix_entities.append(
                {
                    "type": "text_mention",
                    "offset": 0,
                    "length": utf16_len(name),
                    "user": self.bot_user,
                }
            )
            text = f"{name} {text}"
        chat = {"id": chat_id, "type": "supergroup", "title": "Tổ công tác Đề án 06 xã"}
        update = self._message_update(chat, self.user(user_id), text, prefix_entities)
        return update

    def reply_to_bot(self, chat_id: int, user_id: int, text: str, to: Sent | None = None) -> Json:
        """A group message replying to one of the bot's messages (the last one by default)."""
        update = self.group_text(chat_id, user_id, text)
        target = to or self.messages_to(chat_id)[-1]
        update["message"]["reply_to_message"] = self._bot_message(target)
        return update

    def callback_query(self, pressed_on: Sent, data: str, user_id: int) -> Json:
        """A press on one of the bot's inline buttons."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id),
                "message": self._bot_message(pressed_on),
                "chat_instance": f"ci{pressed_on.chat_id}",
                "data": data,
            },
        }

    def document(
        self,
        chat_id: int,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        caption: str = "",
        size: int | None = None,
    ) -> Json:
        doc = self.add_file(data, filename, size)
        chat = (
            {"id": chat_id, "type": "private", "first_name": "Lan"}
            if chat_id > 0
            else {"id": chat_id, "type": "supergroup", "title": "Tổ công tác"}
        )
        update = self._message_update(chat, self.user(user_id), caption)
        message = update["message"]
        message.pop("text", None)
        entities = message.pop("entities", None)
        if caption:
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        message["document"] = doc
        return update

    def _message_update(
        self, chat: Json, user: Json, text: str, extra_entities: list[Json] | None = None
    ) -> Json:
        entities = list(extra_entities or []) + _entities(text)
        message: Json = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if entities:
            message["entities"] = entities
        return {"update_id": next(self._update_ids), "message": message}

    def _bot_message(self, sent: Sent) -> Json:
        chat_type = "private" if sent.chat_id > 0 else "supergroup"
        message: Json = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": chat_type},
            "from": self.bot_user,
            "text": sent.text,
        }
        if sent.buttons:
            message["reply_markup"] = _markup(sent.buttons)
        return message

    # ------------------------------------------------------------------ HTTP handlers

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"].lower()
        params = await _params(request)
        self.calls.append((method, params))
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            elif fault.status == 429:
                return _error(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            else:
                return _error(fault.status, "Internal Server Error")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except HtmlError as exc:
            self.errors.append(ApiError(method, str(exc), params))
            self._notify()
            return _error(400, f"Bad Request: {exc}")
        except _Forbidden:
            return _error(403, "Forbidden: bot was blocked by the user")
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        path = request.match_info["path"]
        for stored_path, data, _ in self._files.values():
            if stored_path == path:
                self.downloads.append(path)
                self._notify()
                return web.Response(body=data)
        return _error(404, "Not Found")

    async def _m_getme(self, params: Json) -> Json:
        return self.bot_user

    async def _m_deletewebhook(self, params: Json) -> bool:
        self.webhook_deleted = True
        self.webhook = {}
        return True

    async def _m_setwebhook(self, params: Json) -> bool:
        self.webhook = params
        return True

    async def _m_getwebhookinfo(self, params: Json) -> Json:
        info: Json = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }
        if self.webhook_error:
            info["last_error_message"] = self.webhook_error
        return info

    async def _m_setmycommands(self, params: Json) -> bool:
        check_commands(params.get("commands"))
        self.commands = params["commands"]
        return True

    async def _m_sendchataction(self, params: Json) -> bool:
        self.chat_actions.append(params)
        return True

    async def _m_answercallbackquery(self, params: Json) -> bool:
        self.callback_answers.append(params)
        return True

    async def _m_getupdates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        if offset > self.confirmed_offset:
            self.confirmed_offset = offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        while True:
            ready = [u for u in self._updates if u["update_id"] >= self.confirmed_offset]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready[:limit]
            arrived = self._arrived
            try:
                await asyncio.wait_for(arrived.wait(), remaining)
            except TimeoutError:
                pass

    async def _m_sendmessage(self, params: Json) -> Json:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            raise _Forbidden
        text, mode = params.get("text", ""), params.get("parse_mode")
        plain = check_text(text, mode)
        check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        sent = Sent(
            method="sendmessage",
            chat_id=chat_id,
            message_id=next(self._message_ids),
            text=plain,
            html=text,
            parse_mode=mode,
            buttons=_buttons(params.get("reply_markup")),
            reply_to=reply.get("message_id") or params.get("reply_to_message_id"),
        )
        self.sent.append(sent)
        return self._bot_message(sent)

    async def _m_senddocument(self, params: Json) -> Json:
        return self._file_message("senddocument", params, "document")

    async def _m_sendphoto(self, params: Json) -> Json:
        return self._file_message("sendphoto", params, "photo")

    def _file_message(self, method: str, params: Json, name: str) -> Json:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            raise _Forbidden
        upload = params.get(name)
        if not isinstance(upload, Upload) or not upload.data:
            raise HtmlError(f"there is no {name} in the request")
        caption, mode = params.get("caption", ""), params.get("parse_mode")
        reply = params.get("reply_parameters") or {}
        sent = Sent(
            method=method,
            chat_id=chat_id,
            message_id=next(self._message_ids),
            text=check_text(caption, mode) if caption else "",
            html=caption,
            parse_mode=mode,
            buttons=_buttons(params.get("reply_markup")),
            reply_to=reply.get("message_id") or params.get("reply_to_message_id"),
            file=upload,
        )
        self.sent.append(sent)
        message = self._bot_message(sent)
        message.pop("text", None)
        message[name] = (
            {"file_id": f"SENT{sent.message_id}", "file_unique_id": f"S{sent.message_id}",
             "file_name": upload.filename, "file_size": len(upload.data)}
            if name == "document"
            else [{"file_id": f"SENT{sent.message_id}", "file_unique_id": f"S{sent.message_id}",
                   "width": 800, "height": 600, "file_size": len(upload.data)}]
        )  # fmt: skip
        return message

    async def _m_editmessagetext(self, params: Json) -> Json:
        text, mode = params.get("text", ""), params.get("parse_mode")
        plain = check_text(text, mode)
        check_markup(params.get("reply_markup"))
        chat_id = int(params["chat_id"])
        sent = Sent(
            method="editmessagetext",
            chat_id=chat_id,
            message_id=int(params["message_id"]),
            text=plain,
            html=text,
            parse_mode=mode,
            buttons=_buttons(params.get("reply_markup")),
        )
        self.sent.append(sent)
        return self._bot_message(sent)

    async def _m_getfile(self, params: Json) -> Json:
        file_id = params.get("file_id", "")
        if file_id not in self._files:
            raise HtmlError("wrong file_id or the file is temporarily unavailable")
        path, _, size = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": size,
            "file_path": path,
        }


class _Forbidden(Exception):
    pass


def _error(status: int, description: str, parameters: Json | None = None) -> web.Response:
    body: Json = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> Json:
    """PTB sends form fields whose non-string values are JSON-encoded; decode what decodes."""
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post() if request.can_read_body else {}
    params: Json = dict(request.query)
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.content_type, value.file.read())
            continue
        if not isinstance(value, str):
            continue
        if key in ("text", "caption"):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _entities(text: str) -> list[Json]:
    """The entities Telegram's clients attach: a leading /command, @mentions."""
    entities: list[Json] = []
    command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for m in re.finditer(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}", text):
        if command and m.start() < command.end():
            continue
        offset = utf16_len(text[: m.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(m.group())})
    return entities


def _buttons(markup: Any) -> list[list[tuple[str, str]]]:
    if not isinstance(markup, dict):
        return []
    return [
        [(b["text"], b.get("callback_data", "")) for b in row]
        for row in markup.get("inline_keyboard", [])
    ]


def _markup(buttons: list[list[tuple[str, str]]]) -> Json:
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in buttons
        ]
    }


def _suffix(filename: str) -> str:
    m = re.search(r"\.[A-Za-z0-9]{1,8}$", filename)
    return m.group() if m else ""
