"""Task tables read by meaning: which column is the task, the lead, the partners, the time.

Headers vary in wording ("Cơ quan chủ trì", "Đơn vị thực hiện", "Thời gian hoàn thành",
"Tiến độ") while the meaning of each column does not, so a column is recognised by the words
of its header, never by its position. A data row is then written with short column names
("Nhiệm vụ: … · Chủ trì: … · Thời hạn: …") so it reads on a phone as one passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import fold

# role → (header words that mark it, the name a row is written with); checked in this order,
# so "Cơ quan phối hợp" is partners and "Thời gian thực hiện" a time, not a lead.
ROLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("stt", ("stt", "tt", "so tt", "so thu tu"), "STT"),
    ("partners", ("phoi hop",), "Phối hợp"),
    ("time", ("thoi gian", "thoi han", "tien do", "han hoan thanh", "moc"), "Thời hạn"),
    ("product", ("san pham", "ket qua"), "Sản phẩm"),
    ("note", ("ghi chu",), "Ghi chú"),
    ("lead", ("chu tri", "thuc hien", "trach nhiem", "phu trach", "dau moi"), "Chủ trì"),
    ("task", ("nhiem vu", "noi dung", "cong viec", "hoat dong", "de an", "giai phap"), "Nhiệm vụ"),
)
_NAMES = {role: name for role, _, name in ROLES}
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Column:
    role: str  # one of ROLES' roles, or "" for a column of another meaning
    name: str  # how a row names it: "Chủ trì", or the header's own words


@dataclass(frozen=True)
class Header:
    columns: tuple[Column, ...]
    cells: tuple[str, ...]  # the header row as written, to recognise it when repeated

    def index(self, role: str) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.role == role), None)


def role_of(header_cell: str) -> str:
    words = " ".join(_WORDS.findall(fold(header_cell).lower()))
    if not words or len(words) > 80:
        return ""
    for role, marks, _ in ROLES:
        if any(re.search(rf"\b{m}\b", words) for m in marks):
            if role == "stt" and words not in marks:
                continue
            return role
    return ""


def header_of(cells: tuple[str, ...]) -> Header | None:
    """The row as a task-table header, when at least two of its columns mean something known."""
    roles = [role_of(c) for c in cells]
    known = {r for r in roles if r}
    if len(known - {"stt"}) < 2 or not known & {"task", "time", "lead"}:
        return None
    seen: set[str] = set()
    columns = []
    for cell, role in zip(cells, roles, strict=True):
        if role in seen:  # a merged header cell repeated, or a second column of that kind
            role = ""
        seen.add(role)
        columns.append(Column(role, _NAMES.get(role) or cell.strip()))
    return Header(tuple(columns), tuple(c.strip().lower() for c in cells))


def plain_header(cells: tuple[str, ...]) -> Header | None:
    """A header of no known meaning: short, distinct, wordy cells ("Chỉ tiêu | Năm 2024")."""
    texts = [c.strip() for c in cells]
    if len(texts) < 2 or not all(texts) or len(set(texts)) < len(texts):
        return None
    if any(len(t.split()) > 6 or not re.search(r"[^\W\d_]", t) for t in texts):
        return None
    return Header(tuple(Column("", t) for t in texts), tuple(t.lower() for t in texts))


def is_group_row(cells: tuple[str, ...], header: Header | None) -> str:
    """The group title when the row names a group of tasks ("I | NHÓM NHIỆM VỤ …" merged across).

    A merged cell comes back repeated in every column it spans, so a group row has one text
    (after its number) filling the row, or one text and the rest empty.
    """
    values = [c.strip() for c in cells]
    stt = header.index("stt") if header else None
    start = 1 if stt == 0 or (values and _is_group_number(values[0])) else 0
    rest = [v for v in values[start:] if v]
    if not rest or len(set(rest)) != 1 or len(values) < 3:
        return ""
    text = rest[0]
    if len(rest) == 1 and header is not None:
        time_col = header.index("time")
        filled = values.index(text, start)
        if time_col is not None and filled == time_col:
            return ""
    number = values[0] if start else ""
    return f"{number}. {text}" if number and not text.startswith(number) else text


def _is_group_number(text: str) -> bool:
    return bool(re.fullmatch(r"[IVXLC]{1,6}|[A-ZĐ]|\d{1,2}|[IVXLC]{1,6}\.|[A-Z]\.", text))


def row_cells(cells: tuple[str, ...], header: Header) -> tuple[tuple[str, str, str], ...]:
    """(role, column name, text) of each non-empty cell, in column order."""
    out = []
    for i, text in enumerate(cells):
        text = text.strip()
        if not text or i >= len(header.columns):
            if text:
                out.append(("", "", text))
            continue
        col = header.columns[i]
        if out and out[-1][2] == text and out[-1][0] == col.role:
            continue  # a merged cell spanning two columns of one meaning
        out.append((col.role, col.name, text))
    return tuple(out)


def row_text(cells: tuple[tuple[str, str, str], ...]) -> str:
    """A row as one line a person reads: "Nhiệm vụ: … · Chủ trì: … · Thời hạn: …"."""
    parts = [f"{name}: {text}" if name else text for role, name, text in cells if role != "stt"]
    return " · ".join(parts)
