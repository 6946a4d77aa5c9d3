"""Settings come from the environment only (secrets never from files or arguments)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    public_url: str = ""  # DE06_PUBLIC_URL: where the HTTP side server is reached from outside
    calendar_token: str = field(default="", repr=False)  # DE06_CALENDAR_TOKEN: in file URLs

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
            public_url=_url(env.get("DE06_PUBLIC_URL", "").strip()),
            calendar_token=_token(env.get("DE06_CALENDAR_TOKEN", "").strip()),
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


def _url(text: str) -> str:
    if text and not text.startswith(("https://", "http://")):
        raise ConfigError(
            f"DE06_PUBLIC_URL={text!r} phải là địa chỉ đầy đủ, ví dụ https://de06.tinh.gov.vn"
        )
    return text.rstrip("/")


def _token(text: str) -> str:
    """The token is the only key to the files it names, so it must not be guessable."""
    if text and (len(text) < 16 or not all(c.isalnum() or c in "-_" for c in text)):
        raise ConfigError(
            "DE06_CALENDAR_TOKEN phải dài ít nhất 16 ký tự, chỉ gồm chữ, số, '-' và '_' "
            "(ví dụ tạo bằng: python3 -c 'import secrets; print(secrets.token_urlsafe(24))')."
        )
    return text
