"""The deadlines as an iCalendar file: what Outlook, Google Calendar and phones import.

The file is checked twice: parsed back with `icalendar` (and re-serialised byte for byte),
and read line by line as a strict RFC 5545 reader would (CRLF line ends, at most 75 octets
a line). Repeating events are expanded with dateutil's RRULE reader and must fall on the
very days `/deadline` names as the next occurrence.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot import cli
from bot.calendar_chat import ICS_NAME, calendar_file, calendar_reply, feed_url
from bot.core import Conversation
from bot.deadline_chat import DeadlineRecord
from bot.render.calendar import event_uid, rrule
from index.deadlines import Recurrence, next_occurrence

from helpers import say
from sample_plans import TODAY, open_plans

STAMP = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Conversation:
    conv = open_plans(tmp_path_factory.mktemp("calendar"))
    yield conv
    conv.close()


@pytest.fixture(scope="module")
def records(plans: Conversation) -> list[DeadlineRecord]:
    return plans.snapshot.deadlines


@pytest.fixture(scope="module")
def everything(records) -> bytes:
    """Every dated deadline of the sample plans, past ones included."""
    return calendar_file(records, TODAY, "all", STAMP).data


def events(data: bytes) -> dict[str, object]:
    """VEVENTs by UID (a UID appearing twice would lose one here: checked separately)."""
    return {str(e["uid"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def repeats(event, start: date):
    """The event's RRULE as dateutil reads it, from its first day."""
    return rrulestr(event["rrule"].to_ical().decode(), dtstart=midnight(start))


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def rec(**fields: object) -> DeadlineRecord:
    base = dict(
        due=date(2025, 4, 30), precision="day", kind="deadline", start=0, end=10, passage_id=1,
        text="Rà soát, làm sạch dữ liệu hộ tịch", agency="Sở Tư pháp", doc_id="ke-hoach-37",
        title="Kế hoạch 37/KH-UBND — Triển khai Đề án 06", source="UBND tỉnh An Lạc",
        date="2025-01-14", url="",
    )  # fmt: skip
    base.update(fields)
    return DeadlineRecord(**base)


# --- the format -------------------------------------------------------------------------------


def test_the_calendar_parses_and_serialises_back_byte_for_byte(everything: bytes) -> None:
    calendar = Calendar.from_ical(everything)
    assert calendar.to_ical() == everything
    assert str(calendar["version"]) == "2.0" and "prodid" in calendar


def test_every_line_ends_with_crlf_and_fits_75_octets(everything: bytes) -> None:
    assert everything.endswith(b"\r\n")
    lines = everything.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert all(line.decode("utf-8") for line in lines)  # folding never cuts a character


def test_every_event_has_what_rfc_5545_requires(everything: bytes) -> None:
    for event in Calendar.from_ical(everything).walk("VEVENT"):
        assert {"uid", "dtstamp", "dtstart", "summary"} <= set(k.lower() for k in event)
        assert event["dtstart"].params.get("VALUE") == "DATE"  # an all-day event
        assert event.decoded("dtend") == event.decoded("dtstart") + timedelta(days=1)
        for alarm in event.walk("VALARM"):
            assert {"action", "trigger", "description"} <= set(k.lower() for k in alarm)


def test_every_uid_is_unique(everything: bytes) -> None:
    uids = [str(e["uid"]) for e in Calendar.from_ical(everything).walk("VEVENT")]
    assert len(uids) == len(set(uids)) > 0


# --- the sample plans ---------------------------------------------------------------------------


def test_every_dated_deadline_of_the_sample_plans_is_one_event_on_its_day(
    records, everything: bytes
) -> None:
    dated = [r for r in records if r.kind != "ongoing"]
    by_uid = events(everything)
    assert len(dated) >= 10 and len(by_uid) == len(dated)
    for r in dated:
        event = by_uid[event_uid(r.key)]
        assert event.decoded("dtstart") == r.due, r.text


def test_recurring_deadlines_repeat_on_the_days_the_assistant_names(
    records, everything: bytes
) -> None:
    recurring = [r for r in records if r.recurrence is not None]
    assert len(recurring) >= 3
    by_uid = events(everything)
    for r in recurring:
        event = by_uid[event_uid(r.key)]
        day = event.decoded("dtstart")
        rule = repeats(event, day)
        for _ in range(8):  # the next eight occurrences, as /deadline would name them
            assert rule.after(midnight(day), inc=True).date() == day
            day = next_occurrence(r.recurrence, day + timedelta(days=1))


def test_ongoing_work_is_not_in_the_calendar(records, everything: bytes) -> None:
    ongoing = [r for r in records if r.kind == "ongoing"]
    assert ongoing
    assert not set(map(event_uid, (r.key for r in ongoing))) & set(events(everything))


def test_uids_are_identical_across_two_reloads_and_a_restart(tmp_path: Path) -> None:
    conv = open_plans(tmp_path)
    first = set(events(calendar_file(conv.snapshot.deadlines, TODAY, "all", STAMP).data))
    plan = conv.settings.kb_dir / "plans" / "ke-hoach-21-kh-ubnd-tp-hoa-phong-2025.docx"
    kept = tmp_path / plan.name
    shutil.move(plan, kept)
    conv.reload()  # the plan is gone…
    shutil.move(kept, plan)
    conv.reload()  # …and read again from scratch
    second = set(events(calendar_file(conv.snapshot.deadlines, TODAY, "all", STAMP).data))
    conv.close()
    restarted = open_plans(tmp_path)
    third = set(events(calendar_file(restarted.snapshot.deadlines, TODAY, "all", STAMP).data))
    restarted.close()
    assert first == second == third and first


# --- what an event says -------------------------------------------------------------------------


def test_an_event_carries_lead_partners_task_and_citation() -> None:
    record = rec(partners=("Công an tỉnh", "Sở Nội vụ"), section="PHỤ LỤC › I › 1")
    (event,) = Calendar.from_ical(calendar_file([record], TODAY, "", STAMP).data).walk("VEVENT")
    assert str(event["summary"]) == "Hạn: Rà soát, làm sạch dữ liệu hộ tịch"
    description = str(event["description"])
    for part in (
        "Hạn: 30/4/2025",
        "Chủ trì: Sở Tư pháp",
        "Phối hợp: Công an tỉnh, Sở Nội vụ",
        "Nhiệm vụ: Rà soát, làm sạch dữ liệu hộ tịch",
        "Mục: PHỤ LỤC › I › 1",
        "Nguồn: Kế hoạch 37/KH-UBND — Triển khai Đề án 06 (UBND tỉnh An Lạc, 14/01/2025)",
    ):
        assert part in description
    assert [str(c) for c in event["categories"].cats] == ["Sở Tư pháp"]


def test_a_joint_lead_is_one_category_per_agency() -> None:
    record = rec(agency="Bộ Tư pháp, Văn phòng Chính phủ")
    (event,) = Calendar.from_ical(calendar_file([record], TODAY, "", STAMP).data).walk("VEVENT")
    assert [str(c) for c in event["categories"].cats] == ["Bộ Tư pháp", "Văn phòng Chính phủ"]


def test_a_long_task_is_short_in_the_summary_and_whole_in_the_description() -> None:
    task = (
        "Tái cấu trúc quy trình thủ tục thi đua, khen thưởng trên môi trường điện tử, kết nối "
        "với Cơ sở dữ liệu quốc gia về dân cư và Cổng dịch vụ công quốc gia"
    )
    (event,) = Calendar.from_ical(calendar_file([rec(text=task)], TODAY, "", STAMP).data).walk(
        "VEVENT"
    )
    summary = str(event["summary"])
    assert summary.startswith("Hạn: Tái cấu trúc") and summary.endswith("…")
    assert len(summary) <= 66
    assert task in str(event["description"])


def test_deadlines_remind_at_nine_a_week_and_a_day_before() -> None:
    (event,) = Calendar.from_ical(calendar_file([rec()], TODAY, "", STAMP).data).walk("VEVENT")
    start = datetime.combine(event.decoded("dtstart"), datetime.min.time())
    rings = sorted(start + alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    assert rings == [datetime(2025, 4, 23, 9), datetime(2025, 4, 29, 9)]
    assert all(str(a["action"]) == "DISPLAY" for a in event.walk("VALARM"))


def test_effective_dates_are_events_without_reminders() -> None:
    law = rec(kind="effective", text="Quyết định này có hiệu lực kể từ ngày 15/3/2025",
              due=date(2025, 3, 15), agency="")  # fmt: skip
    (event,) = Calendar.from_ical(calendar_file([law], TODAY, "", STAMP).data).walk("VEVENT")
    assert str(event["summary"]).startswith("Có hiệu lực:")
    assert event.decoded("dtstart") == date(2025, 3, 15)
    assert list(event.walk("VALARM")) == []


def test_past_deadlines_are_in_the_calendar_only_with_all() -> None:
    past = rec(due=date(2025, 1, 31), text="Gửi báo cáo kết quả năm 2024")
    ahead = rec()
    upcoming = events(calendar_file([past, ahead], TODAY, "", STAMP).data)
    every = events(calendar_file([past, ahead], TODAY, "all", STAMP).data)
    assert set(upcoming) == {event_uid(ahead.key)}
    assert set(every) == {event_uid(past.key), event_uid(ahead.key)}


def test_a_filter_keeps_the_matching_deadlines_only(records) -> None:
    data = calendar_file(records, TODAY, "Phòng Tư pháp", STAMP).data
    found = Calendar.from_ical(data).walk("VEVENT")
    assert found and all("Phòng Tư pháp" in str(e["description"]) for e in found)
    assert "Phòng Tư pháp" in str(Calendar.from_ical(data)["x-wr-calname"])


def test_the_same_deadlines_make_the_same_file() -> None:
    records = [rec(), rec(due=date(2025, 6, 30), precision="quarter", text="Kết nối VNeID")]
    assert calendar_file(records, TODAY, "", STAMP).data == calendar_file(
        list(reversed(records)), TODAY, "", STAMP
    ).data


# --- repeating rules ------------------------------------------------------------------------------


def test_a_monthly_rule_names_its_day() -> None:
    assert rrule(Recurrence("monthly", 25)) == {"freq": "monthly", "bymonthday": 25}


def test_a_quarterly_rule_is_monthly_every_three_months() -> None:
    record = rec(kind="recurring", recurrence=Recurrence("quarterly", 10), due=date(2025, 4, 10))
    (event,) = Calendar.from_ical(calendar_file([record], TODAY, "", STAMP).data).walk("VEVENT")
    assert event["rrule"].to_ical() == b"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10"
    assert event.decoded("dtstart") == date(2025, 4, 10)


SHAPES = [
    Recurrence(freq, day, month)
    for freq, months in (("monthly", (None,)), ("quarterly", (None, 1, 2, 3)),
                         ("half-yearly", (None, 1, 6)), ("yearly", (None, 1, 2, 6, 12)))
    for day in (None, 1, 10, 25, 28, 29, 30, 31)
    for month in months
]  # fmt: skip


@pytest.mark.parametrize("rule", SHAPES, ids=lambda r: r.rule)
def test_every_rule_shape_repeats_on_the_days_next_occurrence_gives(rule: Recurrence) -> None:
    start = next_occurrence(rule, date(2024, 1, 1))
    record = rec(kind="recurring", recurrence=rule, due=start)
    data = calendar_file([record], date(2024, 1, 1), "", STAMP).data
    expanded = repeats(Calendar.from_ical(data).walk("VEVENT")[0], start)
    day = start
    while day < date(2027, 1, 1):  # three years, a leap year among them
        assert expanded.after(midnight(day), inc=True).date() == day
        day = next_occurrence(rule, day + timedelta(days=1))


# --- in the chat and on the command line ------------------------------------------------------


def test_lich_sends_the_calendar_as_a_file_on_telegram(plans: Conversation) -> None:
    reply = say(plans, "/lich")
    (file,) = reply.files
    assert (file.name, file.media_type, file.is_picture) == (ICS_NAME, "text/calendar", False)
    assert Calendar.from_ical(file.data).walk("VEVENT")
    assert "Outlook, Google Calendar" in reply.plain
    assert "hạn" in file.caption


def test_calendar_is_an_alias_of_lich(plans: Conversation) -> None:
    assert say(plans, "/calendar").files[0].name == ICS_NAME


def test_on_zalo_lich_says_where_to_get_the_calendar_instead(plans: Conversation) -> None:
    reply = say(plans, "/lich", platform="zalo")
    assert reply.files == ()
    assert "Telegram" in reply.plain and "DE06_PUBLIC_URL" in reply.plain


def test_lich_gives_the_feed_address_when_the_public_url_is_set(records) -> None:
    token = "Bi-mat-cua-lich-0123456789"
    reply = calendar_reply(records, TODAY, "Sở Nội vụ", platform="zalo",
                           public_url="https://bot.tinh.gov.vn", token=token)  # fmt: skip
    url = "https://bot.tinh.gov.vn/calendar/Bi-mat-cua-lich-0123456789.ics?q=S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5"
    assert url in reply.plain
    assert feed_url("https://bot.tinh.gov.vn/", token) == url.split("?")[0]


def test_lich_without_matching_deadlines_says_so(plans: Conversation) -> None:
    reply = say(plans, "/lich đất đai")
    assert reply.files == ()
    assert "Không có hạn nào sắp tới khớp với “đất đai”" in reply.plain


def test_de06_deadline_ics_writes_the_calendar_to_stdout(plans: Conversation) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    argv = ["--kb", str(plans.settings.kb_dir), "--db", str(plans.settings.db_path),
            "deadline", "--ics", "--all", "--today", TODAY.isoformat()]  # fmt: skip
    with redirect_stdout(out):
        assert cli.main(argv) == 0
    out.flush()
    data = out.buffer.getvalue()
    expected = calendar_file(plans.snapshot.deadlines, TODAY, "all").data
    assert set(events(data)) == set(events(expected)) != set()
