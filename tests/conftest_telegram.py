"""Pytest fixtures for Telegram tests; load with `pytest_plugins = ["conftest_telegram"]`.

Kept out of `tests/conftest.py` (owned by the lead) so any test module can opt in.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio

from bot.core import Conversation, Settings

from fake_telegram import ADMIN_ID, FakeTelegram

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
TODAY = date(2024, 1, 20)


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server on a random 127.0.0.1 port, stopped after the test."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="session")
def telegram_conv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conversation]:
    """One real conversation (index built once per session) over a private copy of the
    knowledge base, so uploads and reloads never touch the repository's files.

    Admin: user 42. Today: 20/01/2024, so the 2024 deadlines are still ahead.
    """
    root = tmp_path_factory.mktemp("telegram")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    settings = Settings(
        kb_dir=root / "knowledge",
        db_path=root / "t.sqlite",
        admin_ids=frozenset({str(ADMIN_ID)}),
        today=TODAY,
        questions_per_minute=1000,
    )
    conversation = Conversation.open(settings)
    yield conversation
    conversation.close()
