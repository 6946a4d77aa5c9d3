"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from bot.core import Conversation
from bot.models import Incoming, Reply

ADMIN = "1001"


def say(
    conv: Conversation,
    text: str,
    *,
    user: str = "42",
    chat: str = "42",
    platform: str = "telegram",
    group: bool = False,
    addressed: bool = True,
) -> Reply:
    return conv.handle(Incoming(platform, chat, user, text, is_group=group, addressed=addressed))
