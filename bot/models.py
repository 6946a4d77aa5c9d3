"""The contract between the conversation core and the platform adapters.

Adapters turn a platform update into an `Incoming`, hand it to the core and render
the `Reply` they get back. All wording is decided by the core; a renderer only maps
run styles to its platform's markup and splits messages at block boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Style(StrEnum):
    PLAIN = "plain"
    MATCH = "match"  # a query term found in the text
    STRONG = "strong"  # headings, due dates
    CITE = "cite"  # citation line: title, source, date
    COMMAND = "command"  # a command the user can type, e.g. /xem 1


@dataclass(frozen=True)
class Run:
    text: str
    style: Style = Style.PLAIN


Block = tuple[Run, ...]
"""A unit that is never split across messages unless it alone is over the limit."""


@dataclass(frozen=True)
class Incoming:
    """A message (or button press) from a chat, already stripped of platform detail."""

    platform: str  # "console" | "telegram" | "zalo"
    chat_id: str
    user_id: str
    text: str
    is_group: bool = False
    addressed: bool = True  # in a group: a command, a mention of the bot, or a reply to it
    message_id: str = ""


@dataclass(frozen=True)
class Action:
    """A follow-up the user can take: a button on Telegram, a typed command elsewhere."""

    label: str
    command: str  # a core command, e.g. "/xem 1", "/them", "/danhgia 42 tot"


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a reply: a Word report, a calendar (.ics), a chart (PNG).

    Platforms that can send files send `data` under `name` (Telegram: sendPhoto for a picture,
    sendDocument otherwise); the others show `fallback` in its place, which the core words —
    what the file holds and, when it has one, a link to download it — so no adapter invents
    a sentence.
    """

    name: str  # the file name people see, ASCII: "bao-cao-tien-do-2025-05-03.docx"
    media_type: str  # "text/calendar", "image/png", "application/vnd.openxmlformats-…"
    data: bytes = field(repr=False)
    caption: str = ""  # shown with the file where the platform has captions
    fallback: Block = ()

    @property
    def is_picture(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def size_label(self) -> str:
        kb = len(self.data) / 1024
        return f"{kb:.0f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"


class ReplyKind(StrEnum):
    ANSWER = "answer"
    NOT_FOUND = "not_found"
    RELATED = "related"  # no direct answer; the nearest passages are shown (issue 11)
    INFO = "info"  # help, sources, stats, deadlines, full passage…
    REFUSED = "refused"  # not an admin, rate limited
    ERROR = "error"
    IGNORED = "ignored"  # group chatter not addressed to the bot: send nothing


@dataclass
class Reply:
    kind: ReplyKind
    blocks: list[Block] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    hint: Block = ()  # the plain-text stand-in for actions on platforms without buttons
    hit_ids: tuple[int, ...] = ()
    query_id: int | None = None
    files: tuple[Attachment, ...] = ()  # sent after the text, in order

    @property
    def plain(self) -> str:
        """All text without markup: for logs, tests and the console."""
        return "\n\n".join("".join(r.text for r in b) for b in self.blocks)
