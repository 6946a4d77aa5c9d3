"""Fixtures for the progress tests; load with `pytest_plugins = ["conftest_progress"]`.

Kept out of `tests/conftest.py` (owned by the lead) so any test module can opt in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Conversation, Settings

from helpers import ADMIN
from progress_plan import TODAY, plan_kb


@pytest.fixture
def plan_settings(tmp_path: Path) -> Settings:
    return Settings(
        kb_dir=plan_kb(tmp_path / "knowledge"),
        db_path=tmp_path / "var" / "de06.sqlite",
        admin_ids=frozenset({ADMIN}),
        today=TODAY,
        questions_per_minute=1000,
    )


@pytest.fixture
def plan_conv(plan_settings: Settings) -> Iterator[Conversation]:
    conversation = Conversation.open(plan_settings)
    yield conversation
    conversation.close()
