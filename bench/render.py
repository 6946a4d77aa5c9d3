"""Pictures and calendars: how long 200 deadlines take to draw and to write as `.ics`.

A chart is rendered in the core's worker thread while the person waits, so a whole
timeline must take well under a second. The baseline, measured in the same process, is
matplotlib drawing an empty figure of the same size to PNG: the cost no chart can go under,
so the difference is what the timeline itself costs. Runs in a fresh process (see
`bench.run`), so the first render also shows the one-time cost of importing matplotlib.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from bot.calendar_chat import calendar_file
from bot.pictures import questions_chart, timeline
from bot.render import charts
from index.deadline_store import DeadlineRecord
from index.deadlines import Recurrence
from index.stats import Stats

TODAY = date(2025, 3, 10)
DEADLINES = 200
RUNS = 5
TARGET_S = 1.0
AGENCIES = (
    "Sở Tư pháp", "Công an tỉnh", "Sở Nội vụ", "Văn phòng UBND tỉnh", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Lao động, Thương binh và Xã hội", "Sở Tài chính",
    "Bảo hiểm xã hội tỉnh", "Sở Khoa học và Công nghệ", "UBND các huyện, thị xã, thành phố",
    "Sở Thông tin và Truyền thông",
)  # fmt: skip
TASKS = (
    "Rà soát, làm sạch dữ liệu hộ tịch", "Cấp tài khoản định danh điện tử cho cán bộ",
    "Kết nối hệ thống một cửa với VNeID", "Số hóa hồ sơ, kết quả giải quyết thủ tục",
    "Báo cáo sơ kết việc thực hiện Đề án 06", "Tái cấu trúc quy trình thủ tục hành chính",
)  # fmt: skip


def deadlines(n: int = DEADLINES, seed: int = 6) -> list[DeadlineRecord]:
    """`n` deadlines over the 30 days behind TODAY and the 120 ahead, of every kind."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        roll = rng.random()
        recurrence = Recurrence("monthly", rng.choice((10, 20, 25))) if roll < 0.08 else None
        kind = "recurring" if recurrence else "effective" if roll < 0.12 else "deadline"
        out.append(
            DeadlineRecord(
                due=TODAY + timedelta(days=rng.randint(-30, 120)), precision="day", kind=kind,
                text=f"{rng.choice(TASKS)} (đợt {i + 1})", agency=rng.choice(AGENCIES),
                start=0, end=10, passage_id=i, doc_id=f"ke-hoach-{i % 17}",
                title=f"Kế hoạch {i % 17}/KH-UBND", source="UBND tỉnh", date="2025-01-14",
                url="", partners=(rng.choice(AGENCIES),), recurrence=recurrence,
            )
        )  # fmt: skip
    return out


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _median(call, runs: int = RUNS) -> float:
    return statistics.median(_timed(call) for _ in range(runs))


def measure_render(n: int = DEADLINES) -> dict:
    records = deadlines(n)
    picture = timeline(records, TODAY, "")
    assert picture is not None
    empty = charts.Timeline(
        title="", subtitle="", start=picture.start, end=picture.end, today=TODAY,
        today_label="", lanes=picture.lanes, markers=(), legend=(), crowded_note="",
    )  # fmt: skip
    first = _timed(lambda: charts.render_timeline(picture))
    stats = Stats(days=[((TODAY - timedelta(days=d)).isoformat(), 40, 7) for d in range(30)])
    return {
        "deadlines": n,
        "markers": len(picture.markers),
        "lanes": len(picture.lanes),
        "first_timeline_s": first,
        "timeline_s": _median(lambda: charts.render_timeline(picture)),
        "empty_figure_s": _median(lambda: charts.render_timeline(empty)),
        "layout_s": _median(lambda: timeline(records, TODAY, "")),
        "ics_s": _median(lambda: calendar_file(records, TODAY, "all")),
        "stats_chart_s": _median(
            lambda: charts.render_daily_bars(questions_chart(stats, TODAY))
        ),
        "png_kb": len(charts.render_timeline(picture)) / 1024,
        "target_s": TARGET_S,
        "runs": RUNS,
    }

