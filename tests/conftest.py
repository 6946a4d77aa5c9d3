"""Shared fixtures: a copy of the shipped knowledge base and conversations built on it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.core import Conversation, Settings

from helpers import ADMIN

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
DATA = Path(__file__).parent / "data"


def copy_kb(target: Path) -> Path:
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A private, writable copy of the shipped knowledge base."""
    return copy_kb(tmp_path / "knowledge")


@pytest.fixture
def settings(kb: Path, tmp_path: Path) -> Settings:
    return Settings(
        kb_dir=kb,
        db_path=tmp_path / "var" / "de06.sqlite",
        admin_ids=frozenset({ADMIN}),
        today=date(2024, 2, 1),
        questions_per_minute=1000,
    )


@pytest.fixture
def conv(settings: Settings):
    conversation = Conversation.open(settings)
    yield conversation
    conversation.close()


@pytest.fixture(scope="session")
def shared_conv(tmp_path_factory):
    """One read-only conversation over the shipped knowledge base for the whole run."""
    base = tmp_path_factory.mktemp("shared")
    settings = Settings(
        kb_dir=copy_kb(base / "knowledge"),
        db_path=base / "de06.sqlite",
        admin_ids=frozenset({ADMIN}),
        today=date(2024, 2, 1),
        questions_per_minute=100_000,
    )
    conversation = Conversation.open(settings)
    yield conversation
    conversation.close()


@pytest.fixture(scope="session")
def index(shared_conv):
    return shared_conv.snapshot.index
