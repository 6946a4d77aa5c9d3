"""The progress tables on a real SQLite file: ids that never change, state, history, focal
points."""

from __future__ import annotations

from datetime import date, datetime
from itertools import islice
from pathlib import Path

import pytest

from index import progress
from index.deadline_store import DeadlineRecord
from index.deadlines import Recurrence
from index.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "de06.sqlite")
    yield s
    s.close()


def record(text: str = "Rà soát, làm sạch dữ liệu hộ tịch", **kw) -> DeadlineRecord:
    values = dict(
        due=date(2025, 4, 30), precision="day", kind="deadline", text=text, agency="Sở Tư pháp",
        start=0, end=10, passage_id=1, doc_id="ke-hoach-37", title="Kế hoạch 37/KH-UBND",
        source="UBND tỉnh An Lạc", date="2025-01-14", url="",
    )  # fmt: skip
    values.update(kw)
    return DeadlineRecord(**values)


def test_a_key_gets_the_four_character_prefix_of_its_hash(store):
    key = record().key
    ids = progress.assign_ids(store.db(), [key])
    assert ids[key] == next(progress._candidates(key))
    assert len(ids[key]) == 4 and ids[key][0].isalpha()


def test_a_colliding_key_gets_the_shortest_free_prefix_and_the_first_keeps_its_id(store):
    db = store.db()
    first = record().key
    taken = progress.assign_ids(db, [first])[first]
    # plant another key's id on the candidate a new key would want
    newcomer = record("Kết nối hệ thống một cửa với VNeID").key
    wanted = next(progress._candidates(newcomer))
    db.execute("INSERT INTO deadline_ids (key, id) VALUES ('someone|else', ?)", [wanted])
    db.conn.commit()
    ids = progress.assign_ids(db, [first, newcomer])
    assert ids[first] == taken
    assert ids[newcomer] == next(islice(progress._candidates(newcomer), 1, None))
    assert len(ids[newcomer]) == 5


def test_ids_stay_unique_and_short_at_100000_deadlines(store):
    keys = [f"kh-{i // 40}|2025-{1 + i % 12:02d}-28|deadline|{i:012x}" for i in range(100_000)]
    ids = progress.assign_ids(store.db(), keys)
    assert len(set(ids[k] for k in keys)) == 100_000
    lengths = {len(ids[k]) for k in keys}
    assert min(lengths) == 4 and max(lengths) <= 6


def test_an_id_is_kept_by_its_key_when_other_deadlines_come_and_go(store):
    db = store.db()
    mine = record().key
    before = progress.assign_ids(db, [mine])[mine]
    progress.assign_ids(db, [f"other|{i}|deadline|x" for i in range(2000)])
    assert progress.assign_ids(db, [mine])[mine] == before


def test_a_second_process_reads_the_same_ids(store, tmp_path):
    keys = [record(f"Nhiệm vụ {i}").key for i in range(50)]
    ids = progress.assign_ids(store.db(), keys)
    other = Store(tmp_path / "de06.sqlite")
    try:
        assert progress.assign_ids(other.db(), keys) == ids
    finally:
        other.close()


@pytest.mark.parametrize("typed", ["K3F9", "#k3f9", "[k3f9]", "k3f9.", " k3f9 "])
def test_an_id_is_read_as_typed(typed):
    assert progress.normalise_id(typed) == "k3f9"


def test_look_alike_letters_are_read_as_the_digits_they_resemble():
    assert progress.normalise_id("kOlI") == "k011"


def test_a_state_change_is_stored_with_its_history(store):
    db = store.db()
    (rec,) = progress.with_ids(db, [record()])
    at = datetime(2025, 5, 2, 9, 30)
    progress.set_progress(db, rec, "doing", by="telegram:5", today=date(2025, 5, 2), now=at)
    done = progress.set_progress(
        db, rec, "done", by="cli:lan", today=date(2025, 5, 3), note="đủ 12 xã", source="cli"
    )
    assert done.done_on == date(2025, 5, 3)
    assert progress.read_progress(db)[rec.key] == done
    states = [(e.state, e.by, e.source) for e in progress.history(db, rec.key)]
    assert states == [("doing", "telegram:5", "chat"), ("done", "cli:lan", "cli")]


def test_a_recurring_done_counts_until_its_occurrence_has_gone_by(store):
    db = store.db()
    rule = Recurrence("quarterly", 10)
    (rec,) = progress.with_ids(db, [record(kind="recurring", recurrence=rule, due=None)])
    saved = progress.set_progress(db, rec, "done", by="x", today=date(2025, 7, 2))
    assert saved.occurrence == date(2025, 7, 10)
    assert progress.current(rec, saved, date(2025, 7, 10)) == saved
    assert progress.current(rec, saved, date(2025, 7, 11)) is None


def test_a_dated_done_stays_done(store):
    db = store.db()
    (rec,) = progress.with_ids(db, [record()])
    saved = progress.set_progress(db, rec, "done", by="x", today=date(2025, 5, 1))
    assert progress.current(rec, saved, date(2027, 1, 1)) == saved


def test_a_focal_point_is_registered_once(store):
    db = store.db()
    assert progress.add_focal_point(db, "telegram:5", "Sở  Tư pháp", by="telegram:1")
    assert not progress.add_focal_point(db, "telegram:5", "Sở Tư pháp", by="telegram:1")
    (point,) = progress.list_focal_points(db)
    assert (point.user, point.agency, point.added_by) == ("telegram:5", "Sở Tư pháp", "telegram:1")
    assert progress.remove_focal_points(db, "telegram:5") == 1
