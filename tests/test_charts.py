"""Pictures: the deadline timeline (/deadline bieudo, the "📊 Biểu đồ" button) and the
questions chart of /stats, drawn from a store built from a generated plan.

What a chart shows is tested on the values the core hands the renderer (lanes, markers and
their states); the PNG itself is opened with Pillow and checked for its size, that it is not
blank, that overdue deadlines have their own colour, and that every Vietnamese glyph was in
the font.
"""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot import pictures
from bot.core import Conversation, Settings
from bot.deadline_chat import CHART_LABEL, DeadlineRecord
from bot.render import charts
from index.stats import Stats

from helpers import ADMIN, say
from plan_docs import plan_docx
from sample_plans import ROOT, open_plans

TODAY = date(2025, 3, 10)
LEADS = ("Sở Tư pháp", "Công an tỉnh", "Sở Nội vụ", "Văn phòng UBND tỉnh")


def _when(days: int) -> str:
    d = TODAY + timedelta(days=days)
    return f"{d.day}/{d.month}/{d.year}"


ROWS = (
    ("1", "Rà soát, làm sạch dữ liệu hộ tịch", "Sở Tư pháp", "Công an tỉnh", _when(-12)),
    ("2", "Cấp tài khoản định danh điện tử cho cán bộ", "Công an tỉnh", "Sở Nội vụ", _when(4)),
    ("3", "Số hóa hồ sơ cán bộ, công chức", "Sở Nội vụ", "", _when(45)),
    ("4", "Báo cáo kết quả thực hiện Đề án 06", "Văn phòng UBND tỉnh", "Các sở, ngành",
     "Hằng tháng (trước ngày 25)"),
    ("5", "Sở Tư pháp hướng dẫn chứng thực bản sao điện tử", "Sở Tư pháp", "", _when(80)),
    ("6", "Kết nối hệ thống một cửa với VNeID", "Sở Tư pháp", "", _when(150)),
    ("7", "Hỗ trợ người dân kích hoạt tài khoản", "Công an tỉnh", "", "Thường xuyên"),
)  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Conversation:
    """A store built from a generated plan whose deadlines lie around TODAY."""
    base = tmp_path_factory.mktemp("charts")
    kb = base / "knowledge"
    kb.mkdir()
    for name in ("abbreviations.tsv", "stopwords.txt"):
        (kb / name).write_bytes((ROOT / "knowledge" / name).read_bytes())
    plan_docx(kb / "ke-hoach-37-kh-ubnd-an-lac.docx", rows=ROWS)
    conv = Conversation.open(
        Settings(kb_dir=kb, db_path=base / "de06.sqlite", admin_ids=frozenset({ADMIN}),
                 today=TODAY, questions_per_minute=10_000)  # fmt: skip
    )
    yield conv
    conv.close()


@pytest.fixture(scope="module")
def records(generated: Conversation) -> list[DeadlineRecord]:
    return generated.snapshot.deadlines


def marker(t: charts.Timeline, label_part: str) -> charts.Marker:
    return next(m for m in t.markers if label_part in m.label)


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def share_near(image: Image.Image, colour: str, tolerance: int = 40) -> float:
    """The share of pixels within `tolerance` of `colour` on every channel."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    pixels = np.asarray(image, dtype=np.int16)
    return float((np.abs(pixels - target) <= tolerance).all(axis=2).mean())


# --- what the timeline shows ------------------------------------------------------------------


def test_each_lead_agency_has_one_lane(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    assert t is not None
    assert sorted(t.lanes) == sorted(LEADS)
    assert {t.lanes[m.lane] for m in t.markers} == set(LEADS)


def test_an_overdue_deadline_is_marked_apart_from_upcoming_ones(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    assert marker(t, "Rà soát").state == "overdue"
    assert marker(t, "Cấp tài khoản").state == "soon"  # within a week
    assert marker(t, "Số hóa hồ sơ").state == "upcoming"


def test_the_unfiltered_timeline_shows_the_next_120_days(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    assert t.start <= TODAY - timedelta(days=12) and t.end >= TODAY + timedelta(days=120)
    assert all(m.day <= TODAY + timedelta(days=120) for m in t.markers)
    assert not any("Kết nối hệ thống" in m.label for m in t.markers)  # 150 days away
    assert t.start <= t.today <= t.end


def test_recurring_work_is_drawn_at_each_occurrence_and_labelled_once(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    lane = t.lanes.index("Văn phòng UBND tỉnh")
    mine = [m for m in t.markers if m.lane == lane]
    assert [m.day for m in mine] == [date(2025, 3, 25), date(2025, 4, 25), date(2025, 5, 25),
                                     date(2025, 6, 25)]  # fmt: skip
    assert {m.state for m in mine} == {"recurring"}
    assert [m.label for m in mine] == ["Báo cáo kết quả thực hiện Đề…", "", "", ""]


def test_a_filter_draws_the_whole_matching_set(records) -> None:
    t = pictures.timeline(records, TODAY, "Sở Tư pháp")
    assert t.lanes[0] == "Sở Tư pháp"
    assert any("Kết nối hệ thống" in m.label for m in t.markers)  # beyond 120 days: shown
    assert "Sở Tư pháp" in t.subtitle


def test_ongoing_work_is_counted_under_the_chart_not_drawn(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    assert "1 nhiệm vụ thường xuyên" in t.footnote
    assert not any("kích hoạt" in m.label for m in t.markers)


def test_a_label_leaves_out_the_lead_its_lane_already_names(records) -> None:
    t = pictures.timeline(records, TODAY, "")
    assert marker(t, "chứng thực").label.startswith("Hướng dẫn chứng thực")


def test_past_twelve_lanes_the_quietest_agencies_share_one(records) -> None:
    many = [
        replace(records[0], agency=f"Phòng số {i}", text=f"Nhiệm vụ số {i}",
                due=TODAY + timedelta(days=i), kind="deadline", recurrence=None)
        for i in range(1, 21)
    ]  # fmt: skip
    t = pictures.timeline(many, TODAY, "")
    assert len(t.lanes) == pictures.MAX_LANES and t.lanes[-1] == pictures.OTHER_LANES
    assert len(t.markers) == 20


def test_nothing_to_draw_is_said_in_words(generated: Conversation) -> None:
    reply = say(generated, "/deadline bieudo đất đai")
    assert reply.files == ()
    assert "Không có hạn nào khớp với “đất đai” để vẽ biểu đồ" in reply.plain


# --- the picture ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def timeline_png(records) -> bytes:
    return charts.render_timeline(pictures.timeline(records, TODAY, ""))


def test_the_timeline_is_a_png_as_wide_as_telegram_shows_it(timeline_png: bytes) -> None:
    image = png(timeline_png)
    assert image.width == 1278  # Telegram shows photos up to 1,280 px: never scaled down
    assert 600 < image.height < 3000
    assert len(timeline_png) < 10 * 1024 * 1024


def test_the_timeline_is_not_blank_and_overdue_has_its_own_colour(timeline_png: bytes) -> None:
    image = png(timeline_png)
    white = share_near(image, "#ffffff", 8)
    assert white < 0.97  # something is drawn
    assert share_near(image, charts.STYLE["overdue"][0], 30) > 0.0002
    assert share_near(image, charts.STYLE["upcoming"][0], 30) > 0.0002


def test_vietnamese_text_is_drawn_with_every_glyph(records) -> None:
    t = replace(pictures.timeline(records, TODAY, ""), title="Hạn chót: Ủy ban, Sở Nội vụ, ữ ỹ ợ")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph missing from the font
        charts.render_timeline(t)


@pytest.mark.filterwarnings("ignore:cmr10 font should ideally be used with mathtext")
def test_the_glyph_check_would_catch_a_font_without_vietnamese(
    records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "FONT", "cmr10")  # TeX's font: no Vietnamese
    with pytest.warns(UserWarning, match="missing from font"):
        charts.render_timeline(pictures.timeline(records, TODAY, ""))


def test_two_hundred_deadlines_still_make_one_readable_picture(records) -> None:
    many = [
        replace(records[0], agency=LEADS[i % 4], text=f"Nhiệm vụ kiểm tra số {i}",
                due=TODAY + timedelta(days=i % 120), kind="deadline", recurrence=None)
        for i in range(200)
    ]  # fmt: skip
    t = pictures.timeline(many, TODAY, "")
    image = png(charts.render_timeline(t))
    assert len(t.markers) == 200 and image.width == 1278


# --- in the chat ----------------------------------------------------------------------------


def test_deadline_has_a_chart_button(generated: Conversation) -> None:
    reply = say(generated, "/deadline")
    chart = next(a for a in reply.actions if a.label == CHART_LABEL)
    assert chart.command == "/deadline bieudo"
    filtered = say(generated, "/deadline Sở Nội vụ")
    assert "/deadline bieudo Sở Nội vụ" in [a.command for a in filtered.actions]


@pytest.mark.parametrize("command", ["/deadline bieudo", "/deadline biểu đồ", "/han bieudo"])
def test_the_chart_is_sent_as_a_picture_on_telegram(generated: Conversation, command) -> None:
    reply = say(generated, command)
    (picture,) = reply.files
    assert picture.is_picture and picture.media_type == "image/png"
    assert picture.caption.startswith("Các hạn Đề án 06 từ")
    assert "mốc" in reply.plain
    png(picture.data)


def test_on_zalo_the_chart_command_lists_the_deadlines_instead(generated: Conversation) -> None:
    reply = say(generated, "/deadline bieudo", platform="zalo")
    assert reply.files == ()
    assert reply.plain.startswith("Biểu đồ chỉ gửi được trên Telegram")
    assert "Số hóa hồ sơ cán bộ" in reply.plain


# --- /stats -----------------------------------------------------------------------------------


def test_the_questions_chart_has_every_one_of_the_30_days() -> None:
    stats = Stats(days=[("2025-03-01", 5, 2), ("2025-03-10", 3, 0)], total=8, unanswered=2)
    chart = pictures.questions_chart(stats, TODAY)
    assert len(chart.days) == 30 and chart.days[-1] == TODAY
    answered, unanswered = (values for _, values in chart.series)
    assert sum(answered) == 6 and sum(unanswered) == 2
    assert answered[-1] == 3 and unanswered[chart.days.index(date(2025, 3, 1))] == 2
    assert "8 câu hỏi, 2 câu (25%) chưa trả lời được" in chart.subtitle


def _log_questions(conv: Conversation, per_day: dict[date, tuple[int, int]]) -> None:
    rows = []
    for day, (answered, unanswered) in per_day.items():
        for i in range(answered + unanswered):
            ts = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=i)
            stamp = ts.isoformat(timespec="seconds")
            rows.append((stamp, "telegram", "h", "câu hỏi", int(i < answered), "[]", 1.0))
    db = conv.store.db()
    with db.conn:
        db.conn.executemany(
            "INSERT INTO query_log (ts, platform, chat_hash, question, answered, hit_ids,"
            " latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def test_stats_sends_a_chart_of_30_days_beside_its_text(tmp_path: Path) -> None:
    conv = open_plans(tmp_path)
    try:
        _log_questions(conv, {date(2025, 2, 20): (4, 1), date(2025, 3, 9): (6, 3)})
        reply = say(conv, "/stats", user=ADMIN)
        (picture,) = reply.files
        image = png(picture.data)
        assert image.width == 1278 and share_near(image, "#ffffff", 8) < 0.97
        assert "14 câu hỏi, 4 câu (29%) chưa trả lời được" in picture.caption
        assert reply.plain.startswith("Thống kê 7 ngày qua")
        assert say(conv, "/stats", user=ADMIN, platform="zalo").files == ()
    finally:
        conv.close()


def test_stats_without_questions_sends_no_empty_chart(tmp_path: Path) -> None:
    conv = open_plans(tmp_path)
    try:
        assert say(conv, "/stats", user=ADMIN).files == ()
    finally:
        conv.close()


def test_the_bot_starts_without_loading_matplotlib_or_icalendar() -> None:
    """They cost ~30 MB and most of a second; only a chart or a calendar needs them."""
    probe = (
        "import sys, bot.core, bot.platforms.telegram, bot.platforms.http\n"
        "print(sorted(m for m in ('matplotlib', 'icalendar') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
