"""Settings come from the environment only (secrets never from files or arguments)."""

from __future__ import annotations

import os
import re
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
    public_url: str = ""  # where people reach the HTTP side server, e.g. https://bot.tinh.gov.vn
    calendar_token: str = field(default="", repr=False)  # the calendar feed's secret path

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
            public_url=_public_url(env.get("DE06_PUBLIC_URL", "").strip()),
            calendar_token=_calendar_token(env.get("DE06_CALENDAR_TOKEN", "").strip()),
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


MIN_TOKEN_CHARS = 16
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _public_url(text: str) -> str:
    if text and not re.match(r"https?://[^/\s]+", text):
        raise ConfigError(
            f"DE06_PUBLIC_URL={text!r} phải là địa chỉ bắt đầu bằng https:// (hoặc http://), "
            "ví dụ https://bot.tinh.gov.vn"
        )
    return text.rstrip("/")


def _calendar_token(text: str) -> str:
    """The feed's address is its only lock: long, and made of characters a URL keeps as is."""
    if text and (len(text) < MIN_TOKEN_CHARS or not _TOKEN.fullmatch(text)):
        raise ConfigError(
            f"DE06_CALENDAR_TOKEN phải có ít nhất {MIN_TOKEN_CHARS} ký tự chữ, số, '-' hoặc "
            "'_'; tạo một mã ngẫu nhiên bằng: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(24))'"
        )
    return text
