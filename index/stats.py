"""Figures for /stats, read from the query log: what people ask that we cannot answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from index.normalize import fold, match_form
from index.store import Store


@dataclass(frozen=True)
class Stats:
    days: list[tuple[str, int, int]] = field(default_factory=list)  # (day, questions, unanswered)
    total: int = 0
    unanswered: int = 0
    top_unanswered: list[tuple[str, int]] = field(default_factory=list)
    thumbs_up: int = 0
    thumbs_down: int = 0

    @property
    def unanswered_share(self) -> float:
        return self.unanswered / self.total if self.total else 0.0


def read_stats(store: Store, today: date, days: int = 7, top: int = 10) -> Stats:
    db = store.db()
    since = (today - timedelta(days=days - 1)).isoformat()
    per_day = db.execute(
        "SELECT substr(ts, 1, 10) AS day, count(*), sum(answered = 0) FROM query_log "
        "WHERE ts >= ? GROUP BY day ORDER BY day",
        [since],
    ).fetchall()
    total, unanswered = db.execute(
        "SELECT count(*), coalesce(sum(answered = 0), 0) FROM query_log WHERE ts >= ?", [since]
    ).fetchone()
    counts: dict[str, tuple[str, int]] = {}
    for (question,) in db.execute(
        "SELECT question FROM query_log WHERE answered = 0 AND ts >= ?", [since]
    ):
        key = " ".join(fold(match_form(question)).split())
        shown, n = counts.get(key, (question.strip(), 0))
        counts[key] = (shown, n + 1)
    ranked = sorted(counts.values(), key=lambda x: (-x[1], x[0]))[:top]
    up, down = db.execute(
        "SELECT coalesce(sum(feedback = 1), 0), coalesce(sum(feedback = -1), 0) FROM query_log "
        "WHERE ts >= ?",
        [since],
    ).fetchone()
    return Stats(
        days=[(d, n, u or 0) for d, n, u in per_day],
        total=total,
        unanswered=unanswered,
        top_unanswered=ranked,
        thumbs_up=up,
        thumbs_down=down,
    )
