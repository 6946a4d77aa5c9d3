"""The inbox of received messages, on a real store file: what a restart may answer again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.inbox import BUSY_PAUSE, KEEP_SECONDS, Inbox
from index.store import Store

UPDATE = {
    "event_name": "message.text.received",
    "message": {
        "message_id": "m-1",
        "text": "Căn cước điện tử dùng để làm gì?",
        "chat": {"id": "chat-bí-mật-77", "chat_type": "PRIVATE"},
        "from": {"id": "chat-bí-mật-77", "display_name": "Trần Thị Bình"},
    },
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "de06.sqlite"
    Store(path).close()
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def inbox(store_path: Path, clock: Clock):
    box = Inbox(store_path, "zalo", clock=clock)
    yield box
    box.close()


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT platform, message_id, handled_at IS NOT NULL, payload FROM inbox"
        ).fetchall()


def test_a_new_message_is_recorded_and_a_repeat_is_recognised(inbox: Inbox) -> None:
    assert inbox.record("m-1", UPDATE) is True
    assert inbox.record("m-1", UPDATE) is False


def test_a_recorded_message_is_unanswered_until_handled(inbox: Inbox) -> None:
    inbox.record("m-1", UPDATE)
    assert inbox.unanswered() == [UPDATE]
    inbox.handled("m-1")
    assert inbox.unanswered() == []


def test_a_handled_message_keeps_only_its_id(inbox: Inbox, store_path: Path) -> None:
    inbox.record("m-1", UPDATE)
    inbox.handled("m-1")
    assert rows(store_path) == [("zalo", "m-1", 1, None)]
    assert inbox.record("m-1", UPDATE) is False  # still a redelivery


def test_unanswered_messages_survive_a_restart_in_the_order_received(
    store_path: Path, clock: Clock
) -> None:
    first = Inbox(store_path, "zalo", clock=clock)
    for n in range(3):
        clock.now += 1
        first.record(f"m-{n}", {**UPDATE, "n": n})
    first.handled("m-1")
    first.close()  # the process dies here
    again = Inbox(store_path, "zalo", clock=clock)
    assert [u["n"] for u in again.unanswered()] == [0, 2]
    again.close()


def test_platforms_do_not_share_ids(store_path: Path, clock: Clock) -> None:
    zalo, other = Inbox(store_path, "zalo", clock=clock), Inbox(store_path, "other", clock=clock)
    assert zalo.record("m-1", UPDATE) is True
    assert other.record("m-1", UPDATE) is True
    assert other.unanswered() == [UPDATE]
    zalo.close()
    other.close()


def test_ids_older_than_a_day_are_pruned(inbox: Inbox, clock: Clock, store_path: Path) -> None:
    inbox.record("old", UPDATE)
    clock.now += KEEP_SECONDS - 60
    inbox.record("recent", UPDATE)
    clock.now += 120
    assert inbox.prune() == 1
    assert [r[1] for r in rows(store_path)] == ["recent"]
    assert inbox.record("old", UPDATE) is True  # forgotten: a day-old redelivery is answered


def test_a_day_old_unanswered_message_is_not_answered_any_more(
    inbox: Inbox, clock: Clock
) -> None:
    inbox.record("m-1", UPDATE)
    clock.now += KEEP_SECONDS + 1
    assert inbox.unanswered() == []


def test_a_locked_store_gives_unknown_and_the_mark_is_written_later(
    inbox: Inbox, store_path: Path, clock: Clock
) -> None:
    inbox.record("m-0", UPDATE)  # connection open before the lock, as in a running bot
    other = sqlite3.connect(store_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # a reload's write transaction
    try:
        assert inbox.record("m-1", UPDATE) is None
        inbox.handled("m-0")  # cannot be written yet
    finally:
        other.rollback()
        other.close()
    clock.now += BUSY_PAUSE
    assert inbox.flush()
    assert rows(store_path) == [("zalo", "m-0", 1, None)]


def test_after_a_lock_the_store_is_left_alone_for_a_while(
    inbox: Inbox, store_path: Path, clock: Clock
) -> None:
    inbox.record("m-0", UPDATE)
    other = sqlite3.connect(store_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    assert inbox.record("m-1", UPDATE) is None
    other.rollback()
    other.close()
    assert inbox.record("m-2", UPDATE) is None  # not even tried: answers must not wait
    clock.now += BUSY_PAUSE
    assert inbox.record("m-3", UPDATE) is True
