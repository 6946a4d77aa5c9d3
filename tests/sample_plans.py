"""A knowledge base of the sample plans alone (tests/data/plans/, copied from
../shared/samples/plans): a provincial plan with a task table, a department plan, a
district decision and a news page, with dated, recurring, effective and ongoing work."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from bot.core import Conversation, Settings

from helpers import ADMIN

ROOT = Path(__file__).resolve().parents[1]
PLANS = Path(__file__).parent / "data" / "plans"
TODAY = date(2025, 3, 10)  # the plans were issued in early 2025: most of their work is ahead


def sample_plans_kb(target: Path) -> Path:
    """The plans plus the word lists every knowledge base has."""
    shutil.copytree(PLANS, target / "plans")
    for name in ("abbreviations.tsv", "stopwords.txt"):
        shutil.copy(ROOT / "knowledge" / name, target / name)
    return target


def open_plans(root: Path, **settings: object) -> Conversation:
    """A conversation over the sample plans in `root` (built on first use)."""
    kb = root / "knowledge"
    if not kb.exists():
        sample_plans_kb(kb)
    options = {
        "kb_dir": kb,
        "db_path": root / "var" / "de06.sqlite",
        "admin_ids": frozenset({ADMIN}),
        "today": TODAY,
        "questions_per_minute": 10_000,
    }
    options.update(settings)
    return Conversation.open(Settings(**options))
