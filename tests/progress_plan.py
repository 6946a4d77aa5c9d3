"""The progress tests' knowledge base: one plan with a task table (fixtures: conftest_progress).

The plan (tests/data/ke-hoach-37-tien-do.md)
has a dated task per lead agency, a quarterly report and an ongoing task; today is 1/6/2025,
so the first task's day (30/4/2025) has gone by and the others are ahead.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from bot.core import Conversation, Settings

ROOT = Path(__file__).resolve().parents[1]
PLAN = Path(__file__).parent / "data" / "ke-hoach-37-tien-do.md"
TODAY = date(2025, 6, 1)
HO_TICH = "Rà soát, làm sạch dữ liệu hộ tịch"  # Sở Tư pháp, 30/4/2025
TAI_KHOAN = "Cấp tài khoản định danh điện tử cho cán bộ"  # Công an tỉnh, quý III/2025
MOT_CUA = "Kết nối hệ thống một cửa với VNeID"  # Sở Khoa học và Công nghệ, tháng 9/2025
BAO_CAO = "Báo cáo sơ kết việc thực hiện"  # Văn phòng UBND tỉnh, trước ngày 10 hằng quý
HO_SO = "Cập nhật hồ sơ điện tử cán bộ, công chức"  # Sở Nội vụ, thường xuyên


def plan_kb(target: Path) -> Path:
    """A knowledge base with the shipped word lists and the plan only."""
    (target / "documents").mkdir(parents=True)
    for name in ("abbreviations.tsv", "stopwords.txt"):
        shutil.copy(ROOT / "knowledge" / name, target / name)
    shutil.copy(PLAN, target / "documents" / PLAN.name)
    return target


def plan_file(settings: Settings) -> Path:
    return settings.kb_dir / "documents" / PLAN.name


def id_of(conv: Conversation, task: str) -> str:
    """The short id of the deadline whose task is `task`."""
    (record,) = [r for r in conv.snapshot.deadlines if r.text == task]
    return record.id
