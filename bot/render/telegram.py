"""Telegram HTML rendering: escaped text, styles as tags, messages within Telegram's limits.

Pure functions only, so the fuzz tests of the reliability suite can drive them without a bot.
Telegram rejects the *whole* message when one stray `&` or `<` slips through (and the sources
are full of "Bộ TT&TT"), so every piece of text is escaped here and nowhere else.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field

from bot.models import Action, Block, Reply, ReplyKind, Run, Style
from bot.render.common import pack

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
"""Telegram's limit for one text message (we hold the HTML itself to it, tags included)."""

CALLBACK_DATA_LIMIT = 64
"""Telegram's limit for a button's callback_data, in UTF-8 bytes."""

_TAGS = {
    Style.MATCH: "b",
    Style.STRONG: "b",
    Style.CITE: "i",
    Style.COMMAND: "code",
}

_MAX_WORD = 512
"""Longest space-free stretch handed to `pack`: even fully escaped (x5) it fits one message."""

_TAG = re.compile(r"<[^>]*>")

_ROW_BUTTONS = 3
"""Buttons of one kind per row: three "📄 Toàn văn N" still read on a phone."""
_OWN_ROW = frozenset({"/them"})
"""Commands whose button gets a row of its own."""


Button = tuple[str, str]  # (label, callback_data)


@dataclass(frozen=True)
class TelegramMessage:
    html: str
    buttons: list[list[Button]] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape the three characters Telegram HTML reserves (quotes need no escaping in text)."""
    return html.escape(text, quote=False)


def render_block(block: Block) -> str:
    out = []
    for run in block:
        text = escape(run.text)
        tag = _TAGS.get(run.style)
        out.append(f"<{tag}>{text}</{tag}>" if tag and run.text else text)
    return "".join(out)


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def render(reply: Reply) -> list[TelegramMessage]:
    """Messages to send for a reply, in order; buttons ride on the last one.

    An IGNORED reply, or one with nothing visible, renders to no message at all.
    """
    if reply.kind is ReplyKind.IGNORED:
        return []
    blocks = [_short_words(b) for b in reply.blocks]
    texts = [t for t in _pack_within_limit(blocks) if _TAG.sub("", t).strip()]
    if not texts:
        return []
    buttons = keyboard(reply.actions)
    messages = [TelegramMessage(t) for t in texts[:-1]]
    messages.append(TelegramMessage(texts[-1], buttons))
    return messages


def keyboard(actions: list[Action]) -> list[list[Button]]:
    """Lay out buttons in rows of a kind, dropping any whose command Telegram would reject.

    Buttons of one command sit together (the "📄 Toàn văn" ones, up to three; 👍 and 👎),
    and "➕ Xem thêm" gets a row of its own: on a phone, a row that mixes kinds reads as
    one sentence. A dropped button is a core bug (commands are meant to be short), so it
    is logged loudly, but the answer itself is still worth sending.
    """
    rows: list[list[Button]] = []
    last_kind = None
    for action in actions:
        size = len(action.command.encode("utf-8"))
        if not action.command or size > CALLBACK_DATA_LIMIT or not action.label.strip():
            log.error("button dropped, callback data unusable (%d bytes): %r", size, action)
            continue
        kind = action.command.split(" ", 1)[0]
        if rows and kind == last_kind and kind not in _OWN_ROW and len(rows[-1]) < _ROW_BUTTONS:
            rows[-1].append((action.label, action.command))
        else:
            rows.append([(action.label, action.command)])
        last_kind = kind
    return rows


def _pack_within_limit(blocks: list[Block]) -> list[str]:
    """`pack` measures Python characters; tighten until every message fits in UTF-16 too."""
    limit = MESSAGE_LIMIT
    while True:
        texts = pack(blocks, render_block, limit)
        worst = max((utf16_len(t) for t in texts), default=0)
        if worst <= MESSAGE_LIMIT and all(len(t) <= MESSAGE_LIMIT for t in texts):
            return texts
        limit -= max(worst - MESSAGE_LIMIT, 64)
        if limit < MESSAGE_LIMIT // 4:  # cannot happen: UTF-16 at most doubles the length
            raise ValueError("reply cannot be packed into Telegram messages")


def _short_words(block: Block) -> Block:
    """Cut runs so no stretch without a space (`pack` splits words at spaces only) is
    longer than `_MAX_WORD` characters.

    Runs of a block are concatenated without separators, so cutting one run into two of
    the same style changes nothing visible; it only lets `pack` split "&&&…" soup, whose
    escaped form is five times longer than the text `pack` budgets for.
    """
    out: list[Run] = []
    for run in block:
        start = 0
        since_space = 0
        for i, ch in enumerate(run.text):
            since_space = 0 if ch == " " else since_space + 1
            if since_space > _MAX_WORD:
                out.append(Run(run.text[start:i], run.style))
                start = i
                since_space = 1
        out.append(Run(run.text[start:], run.style))
    return tuple(r for r in out if r.text)
