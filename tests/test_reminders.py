"""Reminders: 7 days before and the day before, caught up after downtime, never repeated."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlite_utils

from bot.models import ReplyKind, Style
from bot.reminders import ReminderDue, Subscription, due_reminders, reminder_reply
from index.deadline_store import (
    DeadlineRecord,
    list_subscriptions,
    load_deadlines,
    mark_sent,
    replace_doc_deadlines,
    sent_keys,
    subscribe,
)
from index.deadlines import Recurrence, cell_deadlines, extract_deadlines
from index.store import Store

DUE = date(2024, 4, 15)


def rec(due: date = DUE, text: str = "", agency: str = "Bộ Tư pháp", kind: str = "deadline"):
    return DeadlineRecord(
        due=due,
        precision="day",
        kind=kind,
        text=text or f"Bộ Tư pháp thẩm định nghị định Luật Căn cước, hoàn thành trước {due}",
        agency=agency,
        start=0,
        end=10,
        passage_id=3,
        doc_id="hop-to-cong-tac",
        title="Tổ công tác Đề án 06 họp rà soát tiến độ",
        source="Cổng TTĐT Chính phủ",
        date="2024-01-25",
        url="",
    )


CHAT = Subscription("telegram", "42")


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def stages(found: list[ReminderDue]) -> list[int]:
    return [r.days_before for r in found]


def test_seven_days_before_sends_the_first_reminder() -> None:
    assert stages(due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=7)))) == [7]


def test_eight_days_before_is_too_early() -> None:
    assert due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=8))) == []


def test_the_day_before_sends_the_second_reminder() -> None:
    assert stages(due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=1)))) == [1]


def test_a_missed_seven_day_reminder_is_sent_when_the_process_comes_back() -> None:
    assert stages(due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=4)))) == [7]


def test_a_missed_day_before_reminder_is_still_sent_on_the_due_day() -> None:
    assert stages(due_reminders([CHAT], [rec()], set(), at(DUE))) == [1]


def test_the_seven_day_reminder_is_never_sent_once_the_day_before_is_due() -> None:
    found = due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=1)))
    assert stages(found) == [1]


def test_nothing_is_sent_for_a_deadline_that_has_passed() -> None:
    assert due_reminders([CHAT], [rec()], set(), at(DUE + timedelta(days=1))) == []


def test_a_sent_stage_is_not_sent_again() -> None:
    now = at(DUE - timedelta(days=7))
    first = due_reminders([CHAT], [rec()], set(), now)
    assert due_reminders([CHAT], [rec()], {r.key for r in first}, now + timedelta(hours=5)) == []


def test_each_chat_gets_its_own_reminder() -> None:
    other = Subscription("zalo", "7")
    found = due_reminders([CHAT, other], [rec()], set(), at(DUE - timedelta(days=7)))
    assert {(r.platform, r.chat_id) for r in found} == {("telegram", "42"), ("zalo", "7")}
    assert len({r.key for r in found}) == 2


def test_subscription_words_limit_reminders_to_matching_deadlines() -> None:
    police = rec(
        text="Bộ Công an cấp căn cước, hoàn thành trước ngày 15/4/2024", agency="Bộ Công an"
    )
    sub = Subscription("telegram", "42", ("bo", "tu", "phap"))
    found = due_reminders([sub], [rec(), police], set(), at(DUE - timedelta(days=7)))
    assert [r.record.agency for r in found] == ["Bộ Tư pháp"]


def test_keys_name_platform_chat_deadline_and_stage() -> None:
    (due,) = due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=7)))
    assert due.key == f"telegram:42:{rec().key}:7"


# --- across a restart, with the store ---------------------------------------------------------


PLAN = "Bộ Tư pháp thẩm định nghị định, hoàn thành trước ngày 15/4/2024."


def open_store(path: Path) -> sqlite_utils.Database:
    """The real store (schema and all) in a fresh SQLite file."""
    return Store(path).db()


def reload_plan(db: sqlite_utils.Database, passage_id: int) -> None:
    db["documents"].upsert(
        {"doc_id": "ke-hoach", "title": "Kế hoạch", "source": "", "date": "", "url": ""},
        pk="doc_id",
    )
    found = extract_deadlines(PLAN, default_year=2024)
    replace_doc_deadlines(db, "ke-hoach", [(passage_id, d) for d in found])


def send_due(db: sqlite_utils.Database, now: datetime) -> list[ReminderDue]:
    """What an adapter's job does: compute, send, then mark each as sent."""
    due = due_reminders(list_subscriptions(db), load_deadlines(db), sent_keys(db), now)
    for r in due:
        mark_sent(db, r.key, now=now)
    return due


def test_restart_neither_repeats_nor_loses_a_reminder(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = open_store(path)
    reload_plan(db, passage_id=1)
    subscribe(db, "telegram", "42", ["Bộ", "Tư", "pháp"])
    assert stages(send_due(db, at(date(2024, 4, 8)))) == [7]
    db.close()

    db = open_store(path)  # restart, and a reload that renumbers passages
    reload_plan(db, passage_id=57)
    assert send_due(db, at(date(2024, 4, 8), 20)) == []
    assert stages(send_due(db, at(date(2024, 4, 14)))) == [1]
    db.close()

    db = open_store(path)
    assert send_due(db, at(date(2024, 4, 15))) == []


def test_restart_after_missing_the_exact_day_catches_up_once(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = open_store(path)
    reload_plan(db, passage_id=1)
    subscribe(db, "zalo", "7")
    db.close()

    db = open_store(path)  # down from the 8th to the 10th
    assert stages(send_due(db, at(date(2024, 4, 10)))) == [7]
    assert send_due(db, at(date(2024, 4, 11))) == []


# --- wording ----------------------------------------------------------------------------------


def test_reminder_reply_says_how_many_days_are_left_and_cites_the_source() -> None:
    (due,) = due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=7)))
    reply = reminder_reply(due, DUE - timedelta(days=7))
    assert reply.kind is ReplyKind.INFO
    assert reply.plain.startswith("Nhắc hạn: Còn 7 ngày đến hạn.")
    assert any(r.style is Style.CITE for r in reply.blocks[1])
    assert "/unsubscribe" in [a.command for a in reply.actions]


def test_reminder_on_the_day_before_says_tomorrow() -> None:
    (due,) = due_reminders([CHAT], [rec()], set(), at(DUE - timedelta(days=1)))
    assert "Ngày mai đến hạn" in reminder_reply(due, DUE - timedelta(days=1)).plain


def test_reminder_for_an_effective_date_speaks_of_taking_effect() -> None:
    law = rec(date(2024, 7, 1), "Luật Căn cước có hiệu lực từ ngày 1/7/2024", "", "effective")
    (due,) = due_reminders([CHAT], [law], set(), at(date(2024, 6, 24)))
    assert "Còn 7 ngày nữa văn bản có hiệu lực" in reminder_reply(due, date(2024, 6, 24)).plain


# --- recurring and ongoing work ---------------------------------------------------------------


QUARTERLY_10 = Recurrence("quarterly", 10)


def recurring(rule: Recurrence = QUARTERLY_10) -> DeadlineRecord:
    return replace(
        rec(date(2025, 4, 10), "Báo cáo tình hình thực hiện gửi Sở", "Các phòng, đơn vị thuộc Sở"),
        kind="recurring",
        recurrence=rule,
    )


def ongoing() -> DeadlineRecord:
    return replace(
        rec(text="Cập nhật hồ sơ điện tử cán bộ, công chức", agency="Phòng Công chức, viên chức"),
        due=None,
        precision="none",
        kind="ongoing",
    )


def test_recurring_work_is_reminded_before_each_occurrence() -> None:
    firsts = [
        due_reminders([CHAT], [recurring()], set(), at(day))
        for day in (date(2025, 4, 3), date(2025, 7, 3), date(2025, 10, 3))
    ]
    assert [[(r.due, r.days_before) for r in f] for f in firsts] == [
        [(date(2025, 4, 10), 7)],
        [(date(2025, 7, 10), 7)],
        [(date(2025, 10, 10), 7)],
    ]


def test_the_key_of_a_recurring_reminder_carries_the_occurrence() -> None:
    (april,) = due_reminders([CHAT], [recurring()], set(), at(date(2025, 4, 3)))
    (july,) = due_reminders([CHAT], [recurring()], {april.key}, at(date(2025, 7, 3)))
    assert april.key == f"telegram:42:{recurring().key}@2025-04-10:7"
    assert july.key != april.key


def test_a_reminded_occurrence_is_not_reminded_again_the_next_occurrence_is() -> None:
    rule = recurring(Recurrence("monthly", 25))
    sent: set[str] = set()
    days = [date(2025, 3, d) for d in range(18, 32)] + [date(2025, 4, d) for d in range(1, 25)]
    stages_sent = []
    for day in days:
        for r in due_reminders([CHAT], [rule], sent, at(day)):
            sent.add(r.key)
            stages_sent.append((r.due, r.days_before))
    assert stages_sent == [
        (date(2025, 3, 25), 7),
        (date(2025, 3, 25), 1),
        (date(2025, 4, 25), 7),
        (date(2025, 4, 25), 1),
    ]


def test_ongoing_work_is_never_reminded() -> None:
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 400, 3)]
    assert all(due_reminders([CHAT], [ongoing()], set(), at(day)) == [] for day in days)


def test_a_recurring_reminder_names_the_occurrence_and_the_rule() -> None:
    (due,) = due_reminders([CHAT], [recurring()], set(), at(date(2025, 4, 9)))
    plain = reminder_reply(due, date(2025, 4, 9)).plain
    assert plain.startswith("Nhắc hạn: Ngày mai đến hạn.")
    assert "Định kỳ: trước ngày 10 hằng quý — lần tới 10/4/2025" in plain


def test_recurring_reminders_survive_a_restart_and_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = open_store(path)

    def reload(passage_id: int) -> None:
        db["documents"].upsert(
            {"doc_id": "ke-hoach", "title": "Kế hoạch", "source": "", "date": "", "url": ""},
            pk="doc_id",
        )
        found = cell_deadlines(
            "Trước ngày 10 hằng quý",
            task="Báo cáo tình hình thực hiện gửi Sở",
            lead="Các phòng thuộc Sở",
            partners=[],
            default_year=2025,
        )
        replace_doc_deadlines(db, "ke-hoach", [(passage_id, d) for d in found])

    reload(1)
    subscribe(db, "zalo", "7")
    assert [(r.due, r.days_before) for r in send_due(db, at(date(2025, 4, 3)))] == [
        (date(2025, 4, 10), 7)
    ]
    db.close()
    db = open_store(path)
    reload(42)
    assert send_due(db, at(date(2025, 4, 4))) == []
    assert [(r.due, r.days_before) for r in send_due(db, at(date(2025, 7, 9)))] == [
        (date(2025, 7, 10), 1)
    ]
