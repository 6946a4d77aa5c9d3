"""Deadline tables in a real SQLite file: replace per document, load with citation, reminders."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlite_utils

from index.deadline_store import (
    Subscription,
    deadline_row,
    ensure_tables,
    list_subscriptions,
    load_deadlines,
    mark_sent,
    replace_doc_deadlines,
    sent_keys,
    subscribe,
    unsubscribe,
)
from index.deadlines import Deadline, Recurrence, cell_deadlines, extract_deadlines
from index.errors import StoreError
from index.store import SCHEMA, Store

PLAN = (
    "Bộ TT&TT trình Chính phủ trước ngày 30/3/2024. "
    "Các bộ, ngành cần đăng ký mã định danh tổ chức, hoàn thành trong quý II/2024."
)


def open_db(path: Path) -> sqlite_utils.Database:
    """The real store (schema and all) in a fresh SQLite file."""
    return Store(path).db()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    db = open_db(path)
    db["documents"].insert(
        {
            "doc_id": "hop-to-cong-tac",
            "title": "Tổ công tác Đề án 06 họp rà soát tiến độ",
            "source": "Cổng TTĐT Chính phủ",
            "date": "2024-01-25",
            "url": "https://example.vn/bai",
        }
    )
    db["passages"].insert({"id": 7, "doc_id": "hop-to-cong-tac", "ordinal": 0, "text": PLAN})
    db.close()
    return path


def store_plan(db: sqlite_utils.Database) -> list[Deadline]:
    found = extract_deadlines(PLAN, default_year=2024)
    replace_doc_deadlines(db, "hop-to-cong-tac", [(7, d) for d in found])
    return found


def test_loaded_deadlines_carry_their_citation(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    first = load_deadlines(db)[0]
    assert (first.due, first.agency, first.passage_id) == (date(2024, 3, 30), "Bộ TT&TT", 7)
    assert (first.title, first.source, first.date, first.url) == (
        "Tổ công tác Đề án 06 họp rà soát tiến độ",
        "Cổng TTĐT Chính phủ",
        "2024-01-25",
        "https://example.vn/bai",
    )


def test_loaded_deadlines_round_trip_every_extracted_field(db_path: Path) -> None:
    db = open_db(db_path)
    found = store_plan(db)
    assert [r.deadline for r in load_deadlines(db)] == found


def test_deadlines_come_back_soonest_first(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    assert [r.due for r in load_deadlines(db)] == [date(2024, 3, 30), date(2024, 6, 30)]


def test_replacing_a_document_drops_its_old_deadlines(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    newer = extract_deadlines("Bộ Công an hoàn thành trước ngày 1/9/2024.", default_year=2024)
    replace_doc_deadlines(db, "hop-to-cong-tac", [(7, d) for d in newer])
    assert [r.due for r in load_deadlines(db)] == [date(2024, 9, 1)]


def test_replacing_with_no_rows_removes_a_documents_deadlines(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    replace_doc_deadlines(db, "hop-to-cong-tac", [])
    assert load_deadlines(db) == []


def test_rows_may_be_mappings_with_passage_id(db_path: Path) -> None:
    db = open_db(db_path)
    row = {
        "passage_id": 7,
        "due": date(2024, 4, 15),
        "precision": "day",
        "kind": "deadline",
        "text": "hoàn thành trước ngày 15/4/2024",
        "agency": "Bộ Tư pháp",
        "start": 11,
        "end": 31,
    }
    replace_doc_deadlines(db, "hop-to-cong-tac", [row])
    assert load_deadlines(db)[0].agency == "Bộ Tư pháp"


def test_a_deadline_stated_twice_in_a_document_is_listed_once(db_path: Path) -> None:
    db = open_db(db_path)
    found = extract_deadlines(PLAN, default_year=2024)
    replace_doc_deadlines(db, "hop-to-cong-tac", [(7, d) for d in found] * 2)
    assert len(load_deadlines(db)) == len(found)


def test_deadlines_survive_reopening_the_file(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    db.close()
    assert len(load_deadlines(open_db(db_path))) == 2


def test_record_key_is_the_same_after_a_reload_with_new_passage_ids(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    before = [r.key for r in load_deadlines(db)]
    found = extract_deadlines(PLAN, default_year=2024)
    replace_doc_deadlines(db, "hop-to-cong-tac", [(99, d) for d in found])
    assert [r.key for r in load_deadlines(db)] == before


def test_subscription_with_words_survives_a_restart(db_path: Path) -> None:
    subscribe(open_db(db_path), "telegram", "42", ["Bộ", "Tư", "pháp"])
    assert list_subscriptions(open_db(db_path)) == [
        Subscription("telegram", "42", ("Bộ", "Tư", "pháp"))
    ]


def test_subscribing_again_replaces_the_filter_words(db_path: Path) -> None:
    db = open_db(db_path)
    subscribe(db, "zalo", "7", ["căn", "cước"])
    subscribe(db, "zalo", "7", [])
    assert list_subscriptions(db) == [Subscription("zalo", "7", ())]


def test_unsubscribe_reports_whether_the_chat_was_subscribed(db_path: Path) -> None:
    db = open_db(db_path)
    subscribe(db, "telegram", "42", [], now=datetime(2024, 3, 1, 8))
    assert unsubscribe(db, "telegram", "42") is True
    assert unsubscribe(db, "telegram", "42") is False
    assert list_subscriptions(db) == []


def test_sent_keys_persist_and_marking_twice_is_harmless(db_path: Path) -> None:
    db = open_db(db_path)
    mark_sent(db, "telegram:42:x:7")
    mark_sent(db, "telegram:42:x:7")
    assert sent_keys(open_db(db_path)) == {"telegram:42:x:7"}


def test_a_read_only_store_raises_store_error_with_vietnamese_advice(db_path: Path) -> None:
    db = sqlite_utils.Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
    with pytest.raises(StoreError, match="Không"):
        mark_sent(db, "k")


# --- plans: partners, recurrence, section, ongoing work ---------------------------------------

PLAN_ROWS = [  # (time cell, task, lead, partners)
    ("Quý II/2025", "Đối chiếu dữ liệu cán bộ, công chức", "Phòng Công chức", ["Công an tỉnh"]),
    ("Trước ngày 10 hằng quý", "Báo cáo tình hình thực hiện gửi Sở", "Các phòng thuộc Sở", []),
    ("Thường xuyên", "Cập nhật hồ sơ điện tử cán bộ", "Phòng Công chức", ["Các sở, ngành"]),
]


def store_plan_table(db: sqlite_utils.Database, passage_id: int = 7) -> list[Deadline]:
    found = [
        d
        for time, task, lead, partners in PLAN_ROWS
        for d in cell_deadlines(
            time, task=task, lead=lead, partners=partners, default_year=2025,
            doc_date=date(2025, 3, 5),
        )
    ]  # fmt: skip
    rows = [deadline_row("hop-to-cong-tac", (passage_id, d), section="II › A › 1") for d in found]
    with db.conn:
        db["deadlines"].insert_all(rows)
    return found


def test_partners_recurrence_and_ongoing_work_round_trip_through_the_file(db_path: Path) -> None:
    found = store_plan_table(open_db(db_path))
    loaded = load_deadlines(open_db(db_path))
    assert sorted((r.deadline for r in loaded), key=lambda d: d.start + len(d.text)) == sorted(
        found, key=lambda d: d.start + len(d.text)
    )
    by_kind = {r.kind: r for r in loaded}
    assert by_kind["deadline"].partners == ("Công an tỉnh",)
    assert by_kind["recurring"].recurrence == Recurrence("quarterly", 10)
    assert by_kind["ongoing"].due is None
    assert {r.section for r in loaded} == {"II › A › 1"}


def test_the_lead_is_the_stored_agency(db_path: Path) -> None:
    store_plan_table(open_db(db_path))
    assert {r.lead for r in load_deadlines(open_db(db_path))} == {
        "Phòng Công chức",
        "Các phòng thuộc Sở",
    }


def test_recurring_work_is_due_on_its_next_occurrence_seen_from_a_day(db_path: Path) -> None:
    store_plan_table(open_db(db_path))
    rec = next(r for r in load_deadlines(open_db(db_path)) if r.kind == "recurring")
    assert rec.due_on(date(2025, 3, 10)) == date(2025, 4, 10)
    assert rec.due_on(date(2025, 4, 11)) == date(2025, 7, 10)


def test_ongoing_work_is_never_due_and_a_deadline_is_due_on_its_day(db_path: Path) -> None:
    store_plan_table(open_db(db_path))
    loaded = {r.kind: r for r in load_deadlines(open_db(db_path))}
    assert loaded["ongoing"].due_on(date(2025, 3, 10)) is None
    assert loaded["deadline"].due_on(date(2030, 1, 1)) == date(2025, 6, 30)


def test_keys_of_recurring_and_ongoing_work_survive_a_reload_with_new_passage_ids(
    db_path: Path,
) -> None:
    db = open_db(db_path)
    store_plan_table(db, passage_id=7)
    before = sorted(r.key for r in load_deadlines(db))
    db.execute("DELETE FROM deadlines")
    store_plan_table(db, passage_id=99)
    assert sorted(r.key for r in load_deadlines(db)) == before
    assert any("|quarterly/10|recurring|" in k for k in before)
    assert any("|-|ongoing|" in k for k in before)


def test_a_dated_deadlines_key_keeps_its_earlier_form(db_path: Path) -> None:
    db = open_db(db_path)
    store_plan(db)
    first = load_deadlines(db)[0]
    assert first.key.startswith("hop-to-cong-tac|2024-03-30|deadline|")


def test_a_store_made_before_plans_gets_the_new_columns_and_keeps_its_deadlines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.executescript(SCHEMA)  # documents and passages as they were; deadlines without plans
    old["documents"].insert({"doc_id": "ke-hoach", "title": "Kế hoạch", "date": "2024-01-25"})
    old["deadlines"].insert(
        {
            "id": 1, "doc_id": "ke-hoach", "passage_id": 3, "due": "2024-03-30",
            "precision": "day", "kind": "deadline", "text": "Bộ TT&TT trình Chính phủ",
            "agency": "Bộ TT&TT", "start": 0, "end": 10,
        },
        pk="id",
    )  # fmt: skip
    old.close()
    db = open_db(path)  # the current store opens it
    ensure_tables(db)  # and opening it again changes nothing
    assert {"partners", "recurrence", "section"} <= set(db["deadlines"].columns_dict)
    (rec,) = load_deadlines(db)
    assert (rec.due, rec.agency, rec.partners, rec.recurrence, rec.section) == (
        date(2024, 3, 30),
        "Bộ TT&TT",
        (),
        None,
        "",
    )
