"""Deadlines, reminder subscriptions and sent reminders in the SQLite store.

The caller owns the `sqlite_utils.Database` (and so the file, its lifetime and locking);
these functions only read and write their three tables. Deadlines are replaced per document
at reload, and come back joined with their citation so nothing above the store needs SQL.
Subscriptions and sent-reminder keys live here too, so a restart neither loses a
subscription nor repeats a reminder.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import sqlite_utils

from index.deadlines import Deadline, Recurrence, next_occurrence
from index.errors import StoreError

__all__ = [
    "DeadlineRecord",
    "deadline_key",
    "Subscription",
    "ensure_tables",
    "replace_doc_deadlines",
    "deadline_row",
    "load_deadlines",
    "subscribe",
    "unsubscribe",
    "list_subscriptions",
    "mark_sent",
    "sent_keys",
]

DEADLINES = "deadlines"
SUBSCRIPTIONS = "subscriptions"
REMINDERS_SENT = "reminders_sent"


@dataclass(frozen=True)
class DeadlineRecord:
    """A stored deadline with the citation of the passage that states it.

    `due` is None for ongoing work; for recurring work it is the first occurrence the
    document gives, and `due_on(today)` is the one a reader on `today` is waiting for.
    """

    due: date | None
    precision: str
    kind: str
    text: str
    agency: str  # the lead (chủ trì)
    start: int
    end: int
    passage_id: int
    doc_id: str
    title: str
    source: str
    date: str  # the document's date, YYYY-MM-DD or ""
    url: str
    partners: tuple[str, ...] = ()
    recurrence: Recurrence | None = None
    section: str = ""  # where the passage sits: "PHỤ LỤC › II › 3", "" when unknown
    id: str = ""  # the short id people type ("k3f9"), index/progress.py; "" when not assigned

    @property
    def lead(self) -> str:
        return self.agency

    def due_on(self, today: date) -> date | None:
        """The day this falls due as seen on `today`: the next occurrence on or after it for
        recurring work, None for ongoing work, else the stated day."""
        if self.recurrence is not None:
            return next_occurrence(self.recurrence, today)
        return self.due

    @property
    def deadline(self) -> Deadline:
        return Deadline(
            self.due, self.precision, self.kind, self.text, self.agency, self.start, self.end,
            self.partners, self.recurrence,
        )  # fmt: skip

    @cached_property
    def key(self) -> str:
        """Identity that survives a reload (passage ids do not): document, due, kind, task.

        Recurring work is named by its rule instead of a day, ongoing work by no day, so the
        identity does not move as the occurrences go by. Computed once per record (a hash of
        the task), as loading, ids and reminders all ask for it.
        """
        return deadline_key(self.doc_id, self.due, self.recurrence, self.kind, self.text)


def deadline_key(
    doc_id: str, due: date | None, recurrence: Recurrence | None, kind: str, text: str
) -> str:
    """`DeadlineRecord.key` from the stored values, for callers that hold rows, not records."""
    digest = hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:12]
    if recurrence is not None:
        when = recurrence.rule
    else:
        when = due.isoformat() if due else "-"
    return f"{doc_id}|{when}|{kind}|{digest}"


@dataclass(frozen=True)
class Subscription:
    """A chat that wants reminders, optionally only for deadlines matching `words`."""

    platform: str
    chat_id: str
    words: tuple[str, ...] = ()


@contextmanager
def _guard(action: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(
            f"Không {action} được trong kho dữ liệu ({exc}). "
            "Hãy kiểm tra tệp cơ sở dữ liệu có bị khoá hoặc chỉ đọc không, rồi thử lại."
        ) from exc


_NEW_COLUMNS = {"partners": str, "recurrence": str, "section": str}


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create the three tables if missing, and add the columns newer versions store (a store
    made before plans were read gets partners, recurrence and section); safe at every start."""
    with _guard("tạo bảng hạn"):
        db[DEADLINES].create(
            {
                "id": int,
                "doc_id": str,
                "passage_id": int,
                "due": str,
                "precision": str,
                "kind": str,
                "text": str,
                "agency": str,
                "start": int,
                "end": int,
                **_NEW_COLUMNS,
            },
            pk="id",
            if_not_exists=True,
        )
        have = set(db[DEADLINES].columns_dict)
        for name, kind in _NEW_COLUMNS.items():
            if name not in have:
                db[DEADLINES].add_column(name, kind)
        db[DEADLINES].create_index(["doc_id"], if_not_exists=True)
        db[SUBSCRIPTIONS].create(
            {"platform": str, "chat_id": str, "words": str, "created": str},
            pk=("platform", "chat_id"),
            if_not_exists=True,
        )
        db[REMINDERS_SENT].create({"key": str, "sent_at": str}, pk="key", if_not_exists=True)


_FIELDS = ("due", "precision", "kind", "text", "agency", "start", "end")


def deadline_row(
    doc_id: str, row: Mapping[str, Any] | tuple[int, Deadline], section: str = ""
) -> dict[str, Any]:
    """The `deadlines` table row for a mapping or a `(passage_id, Deadline)` pair.

    For callers that insert inside their own transaction (a whole reload is one).
    `section` is the passage's section path, shown beside the deadline.
    """
    if isinstance(row, tuple):
        passage_id, d = row
        values: Mapping[str, Any] = {
            **{f: getattr(d, f) for f in _FIELDS},
            "partners": d.partners,
            "recurrence": d.recurrence,
        }
    else:
        passage_id, values = row["passage_id"], row
    due = values["due"]
    return {
        "doc_id": doc_id,
        "passage_id": int(passage_id),
        "due": due.isoformat() if isinstance(due, date) else due,
        **{f: values[f] for f in _FIELDS if f != "due"},
        "partners": json.dumps(list(values.get("partners") or ()), ensure_ascii=False),
        "recurrence": _recurrence_json(values.get("recurrence")),
        "section": section or values.get("section") or "",
    }


def _recurrence_json(rule: Recurrence | Mapping[str, Any] | None) -> str | None:
    if rule is None:
        return None
    if isinstance(rule, Recurrence):
        rule = {"freq": rule.freq, "day": rule.day, "month": rule.month}
    return json.dumps({k: v for k, v in rule.items() if v is not None})


def _recurrence(value: str | None) -> Recurrence | None:
    return Recurrence(**json.loads(value)) if value else None


def replace_doc_deadlines(
    db: sqlite_utils.Database,
    doc_id: str,
    rows: Iterable[Mapping[str, Any] | tuple[int, Deadline]],
) -> int:
    """Replace one document's deadlines; pass no rows when the document was removed.

    A row is a mapping with the `Deadline` fields plus `passage_id`, or a
    `(passage_id, Deadline)` pair. Returns how many were stored.
    """
    records = [deadline_row(doc_id, r) for r in rows]
    with _guard("lưu các hạn"), db.conn:
        db.execute(f"DELETE FROM {DEADLINES} WHERE doc_id = ?", [doc_id])
        if records:
            db[DEADLINES].insert_all(records)
    return len(records)


def load_deadlines(db: sqlite_utils.Database) -> list[DeadlineRecord]:
    """Every stored deadline with its citation, soonest first, repeated statements merged.

    A document that repeats a paragraph states the same deadline twice; it is listed once.
    """
    sql = f"""
        SELECT d.due, d.precision, d.kind, d.text, d.agency, d.start, d."end",
               d.passage_id, d.doc_id, doc.title, doc.source, doc.date, doc.url,
               d.partners, d.recurrence, d.section
        FROM {DEADLINES} d JOIN documents doc ON doc.doc_id = d.doc_id
        ORDER BY d.due, d.doc_id, d.passage_id, d.start
    """
    with _guard("đọc các hạn"):
        rows = db.execute(sql).fetchall()
    out: list[DeadlineRecord] = []
    seen: set[str] = set()
    for r in rows:
        rec = DeadlineRecord(
            due=date.fromisoformat(r[0]) if r[0] else None,
            precision=r[1],
            kind=r[2],
            text=r[3] or "",
            agency=r[4] or "",
            start=int(r[5]),
            end=int(r[6]),
            passage_id=int(r[7]),
            doc_id=r[8],
            title=r[9] or "",
            source=r[10] or "",
            date=r[11] or "",
            url=r[12] or "",
            partners=tuple(json.loads(r[13] or "[]")),
            recurrence=_recurrence(r[14]),
            section=r[15] or "",
        )
        if rec.key not in seen:
            seen.add(rec.key)
            out.append(rec)
    return out


def subscribe(
    db: sqlite_utils.Database,
    platform: str,
    chat_id: str,
    words: Iterable[str] = (),
    *,
    now: datetime | None = None,
) -> Subscription:
    """Subscribe a chat (again): its filter words replace any earlier ones."""
    sub = Subscription(platform, str(chat_id), tuple(words))
    created = (now or datetime.now()).isoformat(timespec="seconds")
    with _guard("lưu đăng ký nhắc hạn"), db.conn:
        db[SUBSCRIPTIONS].upsert(
            {
                "platform": sub.platform,
                "chat_id": sub.chat_id,
                "words": json.dumps(list(sub.words), ensure_ascii=False),
                "created": created,
            },
            pk=("platform", "chat_id"),
        )
    return sub


def unsubscribe(db: sqlite_utils.Database, platform: str, chat_id: str) -> bool:
    """Stop reminders for a chat; False when it was not subscribed."""
    with _guard("huỷ đăng ký nhắc hạn"), db.conn:
        cur = db.execute(
            f"DELETE FROM {SUBSCRIPTIONS} WHERE platform = ? AND chat_id = ?",
            [platform, str(chat_id)],
        )
    return cur.rowcount > 0


def list_subscriptions(db: sqlite_utils.Database) -> list[Subscription]:
    with _guard("đọc danh sách đăng ký"):
        rows = db.execute(
            f"SELECT platform, chat_id, words FROM {SUBSCRIPTIONS} ORDER BY created, platform"
        ).fetchall()
    return [Subscription(p, c, tuple(json.loads(w or "[]"))) for p, c, w in rows]


def mark_sent(db: sqlite_utils.Database, key: str, *, now: datetime | None = None) -> None:
    """Remember a reminder as sent; marking it twice is harmless."""
    sent_at = (now or datetime.now()).isoformat(timespec="seconds")
    with _guard("ghi nhận nhắc hạn đã gửi"), db.conn:
        db.execute(
            f"INSERT OR IGNORE INTO {REMINDERS_SENT} (key, sent_at) VALUES (?, ?)", [key, sent_at]
        )


def sent_keys(db: sqlite_utils.Database) -> set[str]:
    with _guard("đọc các nhắc hạn đã gửi"):
        return {r[0] for r in db.execute(f"SELECT key FROM {REMINDERS_SENT}").fetchall()}
