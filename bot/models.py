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

    @property
    def plain(self) -> str:
        """All text without markup: for logs, tests and the console."""
        return "\n\n".join("".join(r.text for r in b) for b in self.blocks)
