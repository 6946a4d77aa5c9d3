"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from bot.core import Conversation
from bot.models import Incoming, Reply

ADMIN = "1001"
SHARED_EVAL = (
    Path(__file__).resolve().parents[2] / "shared" / "eval"
)  # tests only, never the product


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
