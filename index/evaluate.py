"""Retrieval quality on a question file: Recall@3, MRR, off-topic refusals, deadlines found.

Measured for the questions as written and with diacritics stripped, because officials
type both ways.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.normalize import fold, match_form
from index.search import SearchIndex


@dataclass
class RetrievalScore:
    label: str
    questions: int = 0
    found: int = 0
    reciprocal_ranks: float = 0.0
    off_topic: int = 0
    off_topic_refused: int = 0  # neither answered nor offered the nearest passages
    in_snippet: int = 0  # found, and the expected text is in the snippet shown
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.questions if self.questions else 0.0


@dataclass
class DeadlineScore:
    expected: int = 0
    found: int = 0
    misses: list[str] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def evaluate_retrieval(index: SearchIndex, rows: list[dict], *, strip: bool) -> RetrievalScore:
    score = RetrievalScore("không dấu" if strip else "có dấu")
    for row in rows:
        question = fold(row["q"]) if strip else row["q"]
        result = index.search(question, limit=3)
        if row.get("expect") is None:
            score.off_topic += 1
            refused = not result.answered and not result.related
            score.off_topic_refused += refused
            if not refused:
                score.misses.append(f"trả lời câu lạc đề: {question}")
            continue
        score.questions += 1
        want = match_form(row["expect"])
        section = match_form(row.get("section") or "")  # where the answer must be cited from
        rank = next(
            (
                i
                for i, h in enumerate(result.hits)
                if want in match_form(h.text) and section in match_form(h.section)
            ),
            None,
        )
        if rank is None:
            score.misses.append(f"không thấy “{row['expect']}”: {question}")
        else:
            score.found += 1
            score.reciprocal_ranks += 1 / (rank + 1)
            score.in_snippet += want in match_form(result.hits[rank].snippet)
    return score


def evaluate_deadlines(records: list, rows: list[dict]) -> DeadlineScore:
    score = DeadlineScore()
    for row in rows:
        score.expected += 1
        want = match_form(row["expect"])
        if any(
            r.due and r.due.isoformat() == row["due"] and want in match_form(r.text)
            for r in records
        ):
            score.found += 1
        else:
            score.misses.append(f"{row['due']} “{row['expect']}”")
    return score
