"""Who has done what: short deadline ids, progress with its audit history, focal points.

Four tables beside the deadlines, never rebuilt by a reload. A reload deletes and rewrites
the deadline rows of every changed document; what people reported must not go with them,
so everything here is keyed by a deadline's `key` (document, due day or rule, kind, task
text), which a reload reproduces for a deadline whose document, task and due date are
unchanged.

- `deadline_ids`: the short id people type (`/xong k3f9`). A new key gets the shortest free
  prefix (4 characters or more) of its hash in Crockford's base32 (a letter first, so an id
  never reads as a number or a year), and the pair is kept for
  good, so an id never changes and never passes to another deadline, even at 100,000
  deadlines where 4-character prefixes collide by the thousand.
- `progress`: the current state per key — `doing` or `done` (with the day it was done;
  for recurring work the occurrence it covers), or `unknown` again after a reset — with a
  note, who and when. No row means nobody has reported anything.
- `progress_history`: every change, appended in the same transaction as the change, and the
  reload events (a progress whose deadline vanished, or came back).
- `focal_points`: users an admin registered as đầu mối of an agency.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlite_utils

from index.deadline_store import (
    DeadlineRecord,
    _guard,  # one wording for every store failure
    deadline_key,
)
from index.deadlines import Recurrence

__all__ = [
    "STATES",
    "Progress",
    "HistoryEntry",
    "FocalPoint",
    "ensure_tables",
    "assign_ids",
    "with_ids",
    "normalise_id",
    "key_of_id",
    "read_progress",
    "progress_of",
    "set_progress",
    "history",
    "current",
    "reconcile",
    "add_focal_point",
    "remove_focal_points",
    "list_focal_points",
]

log = logging.getLogger(__name__)

IDS = "deadline_ids"
PROGRESS = "progress"
HISTORY = "progress_history"
FOCAL = "focal_points"

STATES = ("unknown", "doing", "done")
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
LETTERS = ALPHABET[10:]
MIN_ID_LENGTH = 4
# What people type for what they see: Crockford's decoding of look-alikes.
_LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})
LABEL_CHARS = 200


@dataclass(frozen=True)
class Progress:
    """What was last reported for one deadline."""

    key: str
    id: str
    state: str  # "unknown" | "doing" | "done"
    note: str = ""
    done_on: date | None = None
    occurrence: date | None = None  # recurring work: the occurrence a `done` covers
    by: str = ""
    at: datetime | None = None
    label: str = ""  # the task as it read when reported, to name it once it is gone
    doc_id: str = ""
    orphaned: bool = False  # its deadline is no longer in the documents

    @property
    def when(self) -> str:
        """The due day (YYYY-MM-DD), rule ("quarterly/10") or "-" from the key."""
        parts = self.key.split("|")
        return parts[1] if len(parts) >= 4 else ""


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    key: str
    id: str
    event: str  # "set" | "orphaned" | "rematched"
    state: str
    note: str
    done_on: date | None
    occurrence: date | None
    by: str
    at: datetime
    source: str  # "chat" | "cli" | "reload"


@dataclass(frozen=True)
class FocalPoint:
    user: str  # "telegram:42", "zalo:abc", or a bare id that counts on every platform
    agency: str
    added_by: str
    added_at: str


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create the four tables if missing; safe at every start."""
    with _guard("tạo bảng tiến độ"):
        db.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS {IDS} (
                key TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, created TEXT
            );
            CREATE TABLE IF NOT EXISTS {PROGRESS} (
                key TEXT PRIMARY KEY, id TEXT, doc_id TEXT, label TEXT, state TEXT NOT NULL,
                note TEXT, done_on TEXT, occurrence TEXT, by TEXT, at TEXT, orphaned_at TEXT
            );
            CREATE INDEX IF NOT EXISTS progress_doc ON {PROGRESS} (doc_id);
            CREATE TABLE IF NOT EXISTS {HISTORY} (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, id TEXT,
                event TEXT, state TEXT, note TEXT, done_on TEXT, occurrence TEXT, by TEXT,
                at TEXT, source TEXT
            );
            CREATE INDEX IF NOT EXISTS progress_history_key ON {HISTORY} (key);
            CREATE TABLE IF NOT EXISTS {FOCAL} (
                user TEXT NOT NULL, agency TEXT NOT NULL, added_by TEXT, added_at TEXT,
                PRIMARY KEY (user, agency)
            );
            """
        )


# --- ids --------------------------------------------------------------------------------------


def _candidates(key: str) -> Iterator[str]:
    """Prefixes of the key's hash in base32, shortest first, spelled only as far as asked:
    the id a key gets unless one is taken."""
    digest = hashlib.sha256(key.encode()).digest()
    spelled = LETTERS[digest[0] % len(LETTERS)]  # a letter first: "mã 9563" reads as a number
    number = int.from_bytes(digest[1:], "big")
    while number:
        number, digit = divmod(number, 32)
        spelled += ALPHABET[digit]
        if len(spelled) >= MIN_ID_LENGTH:
            yield spelled
    for n in itertools.count(2):  # pragma: no cover - 2^248 keys would be needed first
        yield f"{spelled}{n}"


def _allocate(known: dict[str, str], keys: Iterable[str]) -> list[tuple[str, str]]:
    """New (key, id) pairs for the keys without one, in key order so any process that
    allocates the same keys over the same table gets the same ids."""
    taken = set(known.values())
    new = []
    for key in sorted(set(keys) - known.keys()):
        ident = next(c for c in _candidates(key) if c not in taken)
        taken.add(ident)
        known[key] = ident
        new.append((key, ident))
    return new


def assign_ids(db: sqlite_utils.Database, keys: Iterable[str]) -> dict[str, str]:
    """Every key's id, giving the keys without one theirs and storing them.

    Allocation happens inside one write transaction, so two processes (the bot and the
    command line) never hand one id to two keys. On a store that refuses writes (read-only)
    the new ids are made in memory only and the failure logged: the same ones are stored by
    the next process that can write, because allocation is deterministic.
    """
    keys = list(keys)
    with _guard("đọc mã hạn"):
        known = dict(db.execute(f"SELECT key, id FROM {IDS}").fetchall())
    if not set(keys) - known.keys():
        return known
    now = datetime.now().isoformat(timespec="seconds")
    try:
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            known = dict(db.execute(f"SELECT key, id FROM {IDS}").fetchall())
            new = _allocate(known, keys)
            db.conn.executemany(
                f"INSERT INTO {IDS} (key, id, created) VALUES (?, ?, ?)",
                [(k, i, now) for k, i in new],
            )
    except sqlite3.Error as exc:
        log.warning("deadline ids kept in memory only, the store refused them: %s", exc)
        with _guard("đọc mã hạn"):
            known = dict(db.execute(f"SELECT key, id FROM {IDS}").fetchall())
        _allocate(known, keys)
    return known


def with_ids(db: sqlite_utils.Database, records: Sequence[DeadlineRecord]) -> list[DeadlineRecord]:
    """The records with their short ids filled in (new deadlines get theirs now)."""
    ids = assign_ids(db, (r.key for r in records))
    return [_with_id(r, ids[r.key]) for r in records]


def _with_id(record: DeadlineRecord, ident: str) -> DeadlineRecord:
    """`replace(record, id=ident)` without running `__init__` again, and keeping the cached
    key: at 100,000 deadlines this is what a restart waits for (0.7 s → 0.05 s)."""
    new = object.__new__(DeadlineRecord)
    new.__dict__.update(record.__dict__, id=ident)
    return new


def normalise_id(text: str) -> str:
    """An id as typed ("#K3F9", "[k3f9]", "k3fg" with an O for 0) in the form stored."""
    return text.strip().strip("#[]()<>.,;:").lower().translate(_LOOK_ALIKES)


def key_of_id(db: sqlite_utils.Database, ident: str) -> str | None:
    """The key an id was given to, also when that deadline has since gone."""
    with _guard("đọc mã hạn"):
        row = db.execute(f"SELECT key FROM {IDS} WHERE id = ?", [normalise_id(ident)]).fetchone()
    return row[0] if row else None


# --- progress ---------------------------------------------------------------------------------

_COLUMNS = "key, id, state, note, done_on, occurrence, by, at, label, doc_id, orphaned_at"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _progress(row: Sequence) -> Progress:
    return Progress(
        key=row[0],
        id=row[1] or "",
        state=row[2],
        note=row[3] or "",
        done_on=_day(row[4]),
        occurrence=_day(row[5]),
        by=row[6] or "",
        at=datetime.fromisoformat(row[7]) if row[7] else None,
        label=row[8] or "",
        doc_id=row[9] or "",
        orphaned=bool(row[10]),
    )


def read_progress(db: sqlite_utils.Database) -> dict[str, Progress]:
    """Every reported progress whose deadline still exists, by key.

    Read from the store on every use rather than cached, so an update made by another
    process (`de06 progress` while the bot runs) is seen at once.
    """
    with _guard("đọc tiến độ"):
        rows = db.execute(f"SELECT {_COLUMNS} FROM {PROGRESS} WHERE orphaned_at IS NULL").fetchall()
    return {r[0]: _progress(r) for r in rows}


def progress_of(db: sqlite_utils.Database, key: str) -> Progress | None:
    """One key's progress, orphaned or not."""
    with _guard("đọc tiến độ"):
        row = db.execute(f"SELECT {_COLUMNS} FROM {PROGRESS} WHERE key = ?", [key]).fetchone()
    return _progress(row) if row else None


def set_progress(
    db: sqlite_utils.Database,
    record: DeadlineRecord,
    state: str,
    *,
    by: str,
    today: date,
    note: str = "",
    done_on: date | None = None,
    source: str = "chat",
    now: datetime | None = None,
) -> Progress:
    """Record a new state for a deadline, and the change in the history, in one transaction.

    `done_on` defaults to `today` for `done`. A recurring deadline's `done` covers the
    occurrence people see on `today` (its next one on or after that day) and no later one.
    """
    if state not in STATES:
        raise ValueError(f"unknown progress state {state!r}")
    if not record.id:
        raise ValueError("the record has no id: load it through with_ids")
    done = state == "done"
    progress = Progress(
        key=record.key,
        id=record.id,
        state=state,
        note=" ".join(note.split()),
        done_on=(done_on or today) if done else None,
        occurrence=record.due_on(today) if done and record.recurrence is not None else None,
        by=by,
        at=(now or datetime.now()).replace(microsecond=0),
        label=" ".join(record.text.split())[:LABEL_CHARS],
        doc_id=record.doc_id,
    )
    values = _values(progress)
    with _guard("lưu tiến độ"), db.conn:
        db.execute(
            f"INSERT OR REPLACE INTO {PROGRESS} ({_COLUMNS}) VALUES ({','.join('?' * 11)})",
            [*values, None],
        )
        _log(db, progress, "set", source)
    return progress


def _values(p: Progress) -> list:
    return [
        p.key,
        p.id,
        p.state,
        p.note,
        p.done_on.isoformat() if p.done_on else None,
        p.occurrence.isoformat() if p.occurrence else None,
        p.by,
        p.at.isoformat() if p.at else None,
        p.label,
        p.doc_id,
    ]


def _log(db: sqlite_utils.Database, p: Progress, event: str, source: str, at: str = "") -> None:
    db.execute(
        f"INSERT INTO {HISTORY} (key, id, event, state, note, done_on, occurrence, by, at, "
        "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            p.key,
            p.id,
            event,
            p.state,
            p.note,
            p.done_on.isoformat() if p.done_on else None,
            p.occurrence.isoformat() if p.occurrence else None,
            p.by,
            at or (p.at.isoformat() if p.at else datetime.now().isoformat(timespec="seconds")),
            source,
        ],
    )


def history(db: sqlite_utils.Database, key: str) -> list[HistoryEntry]:
    """Every change of one deadline's progress, oldest first."""
    with _guard("đọc lịch sử tiến độ"):
        rows = db.execute(
            f"SELECT seq, key, id, event, state, note, done_on, occurrence, by, at, source "
            f"FROM {HISTORY} WHERE key = ? ORDER BY seq",
            [key],
        ).fetchall()
    return [
        HistoryEntry(
            seq=r[0],
            key=r[1],
            id=r[2] or "",
            event=r[3],
            state=r[4],
            note=r[5] or "",
            done_on=_day(r[6]),
            occurrence=_day(r[7]),
            by=r[8] or "",
            at=datetime.fromisoformat(r[9]),
            source=r[10] or "",
        )  # fmt: skip
        for r in rows
    ]


def current(record: DeadlineRecord, progress: Progress | None, today: date) -> Progress | None:
    """The progress that counts on `today`, or None when nothing applies (state unknown).

    A recurring deadline's `done` covers the occurrence it was reported for: once that has
    gone by, the next occurrence starts again with nothing reported.
    """
    if progress is None or progress.state == "unknown":
        return None
    if (
        progress.state == "done"
        and record.recurrence is not None
        and progress.occurrence != record.due_on(today)
    ):
        return None
    return progress


# --- reload -----------------------------------------------------------------------------------


def reconcile(db: sqlite_utils.Database, doc_ids: Iterable[str]) -> list[Progress]:
    """After a reload rewrote these documents' deadlines: the progress that lost its deadline.

    Runs inside the reload's own transaction (it does not commit). A progress whose key no
    longer exists is marked orphaned — kept, with an "orphaned" entry in its history, and
    returned so the reload summary can name it; one whose deadline came back (a document
    restored) is matched again. Only newly orphaned progress is returned.
    """
    docs = sorted(set(doc_ids))
    if not docs:
        return []
    present: set[str] = set()
    rows: list[Sequence] = []
    for i in range(0, len(docs), 500):
        part = docs[i : i + 500]
        marks = ",".join("?" * len(part))
        for doc_id, due, recurrence, kind, text in db.execute(
            f"SELECT doc_id, due, recurrence, kind, text FROM deadlines WHERE doc_id IN ({marks})",
            part,
        ):
            rule = Recurrence(**json.loads(recurrence)) if recurrence else None
            present.add(deadline_key(doc_id, _day(due), rule, kind, text or ""))
        rows += db.execute(
            f"SELECT {_COLUMNS} FROM {PROGRESS} WHERE doc_id IN ({marks})", part
        ).fetchall()
    now = datetime.now().isoformat(timespec="seconds")
    dropped = []
    for row in rows:
        p = _progress(row)
        if p.key in present and p.orphaned:
            db.execute(f"UPDATE {PROGRESS} SET orphaned_at = NULL WHERE key = ?", [p.key])
            _log(db, p, "rematched", "reload", now)
        elif p.key not in present and not p.orphaned:
            db.execute(f"UPDATE {PROGRESS} SET orphaned_at = ? WHERE key = ?", [now, p.key])
            _log(db, p, "orphaned", "reload", now)
            if p.state != "unknown":
                dropped.append(replace(p, orphaned=True))
    return sorted(dropped, key=lambda p: (p.doc_id, p.when, p.id))


# --- focal points -----------------------------------------------------------------------------


def add_focal_point(
    db: sqlite_utils.Database, user: str, agency: str, *, by: str, now: datetime | None = None
) -> bool:
    """Register `user` as a focal point of `agency`; False when already registered."""
    at = (now or datetime.now()).isoformat(timespec="seconds")
    with _guard("lưu đầu mối"), db.conn:
        cur = db.execute(
            f"INSERT OR IGNORE INTO {FOCAL} (user, agency, added_by, added_at) VALUES (?,?,?,?)",
            [user, " ".join(agency.split()), by, at],
        )
    return cur.rowcount > 0


def remove_focal_points(db: sqlite_utils.Database, user: str, agency: str = "") -> int:
    """Remove a user's registration for one agency, or for all when `agency` is empty."""
    with _guard("xoá đầu mối"), db.conn:
        if agency:
            cur = db.execute(
                f"DELETE FROM {FOCAL} WHERE user = ? AND agency = ?",
                [user, " ".join(agency.split())],
            )
        else:
            cur = db.execute(f"DELETE FROM {FOCAL} WHERE user = ?", [user])
    return cur.rowcount


def list_focal_points(db: sqlite_utils.Database) -> list[FocalPoint]:
    with _guard("đọc danh sách đầu mối"):
        rows = db.execute(
            f"SELECT user, agency, added_by, added_at FROM {FOCAL} ORDER BY agency, added_at"
        ).fetchall()
    return [FocalPoint(*r) for r in rows]
