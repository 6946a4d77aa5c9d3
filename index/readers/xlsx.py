"""Excel (.xlsx) task lists: each sheet's header row found by meaning, one table row per task.

Working groups keep their "danh mục nhiệm vụ" in spreadsheets: a title or two, a header row
("STT | Nội dung nhiệm vụ | Đơn vị chủ trì | Thời hạn"), group rows merged across the sheet
("I. NHÓM NHIỆM VỤ …"), then one row per task. The header is recognised by the words of its
cells with the same rules as a document's task table (`index.tables.header_of`), wherever it
sits in the first rows; the rows above it are read as the sheet's title lines. A sheet with
no such header is read as a plain table. The sheet's name opens its section ("Năm 2025 ›
I. NHÓM … › 3"), unless it is a default name ("Sheet1") that says nothing.

openpyxl gives the values as Excel stored them: a date cell is a real date (written
dd/mm/yyyy, as the documents write dates), a formula is read as the value Excel or
LibreOffice last computed for it, and merged cells are repeated over the cells they span,
as the Word reader repeats them.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from pathlib import Path

from index.blocks import Block, DocMeta, Heading, Paragraph, ReadResult, TableRow
from index.errors import DocumentError
from index.readers.archive import check_archive
from index.tables import header_of

MAX_ROWS = 20_000  # per sheet; a task list is a few hundred
_HEADER_SEARCH = 15  # the header row is among the first rows with content
_DEFAULT_NAME = re.compile(r"^(?:sheet|trang\s*tính|bảng\s*tính|feuil|tabelle|hoja)\s*\d*$", re.I)
_SPACES = re.compile(r"\s+")


def read_xlsx(raw: bytes, rel: Path) -> ReadResult:
    check_archive(raw, rel, "xl/workbook.xml", ".xlsx", "Excel")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as err:  # openpyxl raises many types on malformed parts
        raise DocumentError(rel, f"không đọc được tệp .xlsx ({type(err).__name__})") from err
    blocks: list[Block] = []
    notes: list[str] = []
    tables = 0
    first_title = ""  # the title row over the first task list names the workbook
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows, cut = _grid(sheet)
        if not rows:
            continue
        if cut:
            notes.append(f"trang tính “{sheet.title}”: chỉ đọc {MAX_ROWS} dòng đầu")
        name = _clean(sheet.title)
        if name and not _DEFAULT_NAME.match(name):
            blocks.append(Heading(name, 1))
        start = _header_row(rows)
        for cells in rows[: start or 0]:
            line = " ".join(dict.fromkeys(c for c in cells if c))
            blocks.append(Paragraph(line))
            first_title = first_title or line
        tables += 1
        blocks.extend(TableRow(cells, tables) for cells in rows[start or 0 :])
    title = _clean(book.properties.title or "") or first_title
    return ReadResult(tuple(blocks), DocMeta(title=title), notes=tuple(notes))


def _grid(sheet) -> tuple[list[tuple[str, ...]], bool]:
    """The visible rows as cell texts, merged cells repeated, empty rows and columns left out."""
    values: dict[tuple[int, int], str] = {}
    cut = False
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row > MAX_ROWS:
                cut = True
                break
            if cell.value is not None:
                text = cell_text(cell.value, cell.number_format)
                if text:
                    values[(cell.row, cell.column)] = text
        if cut:
            break
    for merged in sheet.merged_cells.ranges:
        text = values.get((merged.min_row, merged.min_col))
        if not text:
            continue
        for r in range(merged.min_row, min(merged.max_row, MAX_ROWS) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[(r, c)] = text
    if not values:
        return [], cut
    hidden_cols = {
        c for (_, c) in values if sheet.column_dimensions[_letter(c)].hidden
    }
    cols = sorted({c for (_, c) in values} - hidden_cols)
    out = []
    for r in sorted({r for (r, _) in values}):
        if sheet.row_dimensions[r].hidden:
            continue
        cells = tuple(values.get((r, c), "") for c in cols)
        if any(cells):
            out.append(cells)
    return out, cut


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _header_row(rows: list[tuple[str, ...]]) -> int | None:
    for i, cells in enumerate(rows[:_HEADER_SEARCH]):
        if header_of(cells) is not None:
            return i
    return None


def cell_text(value: object, number_format: str = "General") -> str:
    """A cell as a person reads it: dates dd/mm/yyyy, whole numbers without ".0", percents."""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return _vn_date(value.date())
        return f"{value:%H:%M} {_vn_date(value.date())}"
    if isinstance(value, date):
        return _vn_date(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        if "%" in (number_format or ""):
            return f"{value * 100:g}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith("#") and text.endswith(("!", "?", "/0", "A")):
        return ""  # an Excel error value (#REF!, #N/A, #DIV/0!) says nothing to a reader
    return _clean(text)


def _vn_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()
