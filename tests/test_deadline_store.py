"""Deadline tables in a real SQLite file: replace per document, load with citation, reminders."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlite_utils

from index.deadline_store import (
    Subscription,
    list_subscriptions,
    load_deadlines,
    mark_sent,
    replace_doc_deadlines,
    sent_keys,
    subscribe,
    unsubscribe,
)
from index.deadlines import Deadline, extract_deadlines
from index.errors import StoreError
from index.store import Store

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
