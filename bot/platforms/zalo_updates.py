"""Reading Zalo Bot API updates: pure functions from JSON dicts to `ZaloMessage`.

Webhook bodies arrive bare (`{event_name, message}`) or wrapped like a getUpdates
answer (`{ok, result: {...}}`); both parse the same.

Groups: the public Zalo Bot docs and SDKs do not document how a mention or a quoted
reply appears in an update (GROUP chats are still beta). So a group message counts as
addressed to the bot when it is a command ("/..."), when its text contains
"@<bot name>" (the name from getMe, compared without case), or when it carries a
reply field (`reply_to_message`, `reply_to`, `quote`, `quoted_message`) whose
sender is the bot or is not given. Replies that name another sender are chatter.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"

PRIVATE = "PRIVATE"
GROUP = "GROUP"

REPLY_FIELDS = ("reply_to_message", "reply_to", "quote", "quoted_message")


@dataclass(frozen=True)
class ZaloMessage:
    event_name: str
    message_id: str
    date_ms: int
    text: str
    sender_id: str
    sender_name: str
    sender_is_bot: bool
    chat_id: str
    chat_type: str  # PRIVATE | GROUP
    reply: bool = False  # the message quotes another one
    reply_sender_id: str = ""  # whom it quotes, when the update says so

    @property
    def is_text(self) -> bool:
        return self.event_name == TEXT

    @property
    def is_group(self) -> bool:
        return self.chat_type == GROUP


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, from getMe: needed to recognise mentions and replies in groups."""

    id: str
    name: str

    @classmethod
    def from_get_me(cls, result: Any) -> BotIdentity | None:
        """None when getMe's result is not an object with the bot's id."""
        if not isinstance(result, Mapping) or not _text(result.get("id")):
            return None
        name = _first(result, "display_name", "account_name", "name", "first_name")
        return cls(id=_text(result.get("id")), name=name)


def unwrap(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The update inside a `{ok, result}` wrapper, or the body itself when bare."""
    result = body.get("result")
    if "event_name" not in body and isinstance(result, Mapping):
        return result
    return body


def parse_update(body: Any) -> ZaloMessage | None:
    """A `ZaloMessage`, or None when the body is not a message we can answer.

    None covers malformed bodies and events without a chat to answer in; the
    caller logs and drops them rather than crashing on a platform change.
    """
    if not isinstance(body, Mapping):
        return None
    update = unwrap(body)
    event = update.get("event_name")
    message = update.get("message")
    if not isinstance(event, str) or not isinstance(message, Mapping):
        return None
    chat = message.get("chat")
    sender = message.get("from")
    chat = chat if isinstance(chat, Mapping) else {}
    sender = sender if isinstance(sender, Mapping) else {}
    sender_id = _text(sender.get("id"))
    chat_id = _text(chat.get("id")) or sender_id
    if not chat_id:
        return None
    chat_type = _text(chat.get("chat_type")).upper() or PRIVATE
    reply, reply_sender = _reply(message)
    text = message.get("text")
    return ZaloMessage(
        event_name=event,
        message_id=_text(message.get("message_id")),
        date_ms=_int(message.get("date")),
        text=text if isinstance(text, str) else "",
        sender_id=sender_id,
        sender_name=_first(sender, "display_name", "name", "first_name"),
        sender_is_bot=sender.get("is_bot") is True,
        chat_id=chat_id,
        chat_type=GROUP if chat_type == GROUP else PRIVATE,
        reply=reply,
        reply_sender_id=reply_sender,
    )


def is_addressed(message: ZaloMessage, bot: BotIdentity) -> bool:
    """Whether the bot should answer: always in private, in groups only when called."""
    if not message.is_group:
        return True
    if message.text.lstrip().startswith("/"):
        return True
    if bot.name and _mention_pattern(bot.name).search(_fold(message.text)):
        return True
    if message.reply:
        return not message.reply_sender_id or message.reply_sender_id == bot.id
    return False


def strip_mention(text: str, bot: BotIdentity) -> str:
    """The text without "@<bot name>", so the core sees only the question."""
    if not bot.name:
        return text.strip()
    pattern = _mention_pattern(bot.name)
    folded = _fold(text)
    if len(folded) != len(text):  # casefold changed lengths: fall back to exact removal
        return " ".join(text.replace(f"@{bot.name}", " ").split())
    pieces, last = [], 0
    for match in pattern.finditer(folded):
        pieces.append(text[last : match.start()])
        last = match.end()
    pieces.append(text[last:])
    return " ".join("".join(pieces).split())


class SeenIds:
    """The last `capacity` message ids, so a redelivered message is answered once."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._ids)

    def check_and_add(self, message_id: str) -> bool:
        """True when this id was already seen; messages without an id are never dropped."""
        if not message_id:
            return False
        if message_id in self._ids:
            self._ids.move_to_end(message_id)
            return True
        self._ids[message_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return False


def _mention_pattern(name: str) -> re.Pattern[str]:
    """Match "@name" only as a whole: "@Bot 06" must not match inside "@Bot 061"."""
    return re.compile("@" + re.escape(_fold(name)) + r"(?!\w)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _reply(message: Mapping[str, Any]) -> tuple[bool, str]:
    for field in REPLY_FIELDS:
        value = message.get(field)
        if not value:
            continue
        if isinstance(value, Mapping):
            sender = value.get("from")
            if isinstance(sender, Mapping):
                return True, _text(sender.get("id"))
            return True, _text(value.get("from_id") or value.get("sender_id"))
        return True, ""
    return False, ""


def _first(data: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = _text(data.get(key)).strip()
        if value:
            return value
    return ""


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str | int):
        return str(value)
    return ""


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
