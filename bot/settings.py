"""Settings come from the environment only (secrets never from files or arguments)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from index.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    kb_dir: Path = Path("knowledge")
    db_path: Path = Path("var/de06.sqlite")
    admin_ids: frozenset[str] = frozenset()
    today: date | None = None  # overrides "today" (tests, demos)
    questions_per_minute: int = 20

    @classmethod
    def from_env(
        cls,
        kb_dir: Path | None = None,
        db_path: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if env is None else env
        return cls(
            kb_dir=Path(kb_dir or env.get("DE06_KB") or "knowledge"),
            db_path=Path(db_path or env.get("DE06_DB") or "var/de06.sqlite"),
            admin_ids=frozenset(
                x.strip() for x in env.get("DE06_ADMIN_IDS", "").split(",") if x.strip()
            ),
            today=_date(env.get("DE06_TODAY", "").strip()),
            questions_per_minute=_count(env.get("DE06_QUESTIONS_PER_MINUTE", "20")),
        )

    @property
    def backup_dir(self) -> Path:
        return self.db_path.parent / "backups"


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(f"DE06_TODAY={text!r} phải có dạng YYYY-MM-DD") from err


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as err:
        raise ConfigError(f"DE06_QUESTIONS_PER_MINUTE={text!r} phải là số nguyên") from err
    if value < 0:
        raise ConfigError("DE06_QUESTIONS_PER_MINUTE không được âm (0 = không giới hạn)")
    return value
