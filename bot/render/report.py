"""The progress report as files: Word with python-docx, Excel with openpyxl.

Word is what gets sent to the Tổ công tác: landscape A4 in Times New Roman, a title with the
date, the summary line, then one table per lead agency (STT | Nhiệm vụ | Thời hạn | Tiến độ |
Ghi chú | Văn bản) whose header row repeats on every page. Excel is for the people who sort and
count: one sheet, one row per task, the agency as a column, days as real dates.

python-docx re-searches the XML on every `table.cell(r, c)` and cell setter, so a row is made
once through its API and copied for each task (`_row_template`), which keeps a 500-task report
well under a second (`make bench` measures both ways).
"""

from __future__ import annotations

import io
from copy import deepcopy
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.report import KIND_WORDS, ProgressReport, ReportRow

__all__ = ["DOCX_TYPE", "XLSX_TYPE", "COLUMNS", "SHEET_COLUMNS", "to_docx", "to_xlsx"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("STT", "Nhiệm vụ", "Thời hạn", "Tiến độ", "Ghi chú", "Văn bản")
_WIDTHS_CM = (1.4, 8.6, 3.8, 3.8, 4.2, 4.9)  # 26.7 cm: landscape A4 within 1.5 cm margins
FONT = "Times New Roman"
_ROMAN = ("I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX").split()


def _roman(n: int) -> str:
    return _ROMAN[n - 1] if n <= len(_ROMAN) else str(n)


def to_docx(report: ProgressReport) -> bytes:
    doc = Document()
    _page(doc)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(report.title).bold = True
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(report.subtitle).italic = True
    doc.add_paragraph(report.counts.line())
    if not report.groups:
        doc.add_paragraph("Không có nhiệm vụ nào khớp với điều kiện lọc.")
    for n, group in enumerate(report.groups, 1):
        c = group.counts
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(10)
        heading.paragraph_format.keep_with_next = True
        heading.add_run(f"{_roman(n)}. {group.agency}").bold = True
        heading.add_run(
            f" ({c.total} nhiệm vụ: {c.done} đã xong, {c.doing} đang làm, {c.overdue} quá hạn, "
            f"{c.unknown} chưa cập nhật)"
        )
        _table(doc, group.rows)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Word reads this for Vietnamese


def _table(doc, rows: list[ReportRow]) -> None:
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, _WIDTHS_CM, strict=True):
        column.width = Cm(width)  # the grid: what LibreOffice and Word's layout read first
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text, width in zip(header.cells, COLUMNS, _WIDTHS_CM, strict=True):
        cell.width = Cm(width)
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    template = _row_template(table)
    tbl = table._tbl
    for i, row in enumerate(rows, 1):
        tr = deepcopy(template)
        values = (str(i), _task(row), row.due_text(), row.progress_text(), row.note_text(),
                  row.source_text())  # fmt: skip
        for run, text in zip(tr.iterfind(_RUNS), values, strict=True):
            _fill(run, text)
        tbl.append(tr)


_RUNS = f"{qn('w:tc')}/{qn('w:p')}/{qn('w:r')}"


def _row_template(table) -> Any:
    """A data row made once through python-docx (widths, an empty run per cell, the number
    centred) and then copied per task: python-docx's own row and cell setters re-search the
    XML on every call, which made a 500-task report take seconds."""
    row = table.add_row()
    for cell, width in zip(row.cells, _WIDTHS_CM, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].add_run("")
    row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    tr = row._tr
    tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a task is never cut by a page
    table._tbl.remove(tr)
    return tr


def _fill(run, text: str) -> None:
    """Lines of `text` in the run, separated by line breaks, as `cell.text = …` would."""
    for n, line in enumerate(text.split("\n")):
        if n:
            run.append(run.makeelement(qn("w:br"), {}))
        t = run.makeelement(qn("w:t"), {_SPACE: "preserve"})
        t.text = line
        run.append(t)


_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _task(row: ReportRow) -> str:
    r = row.record
    lines = [r.text]
    if r.partners:
        lines.append(f"Phối hợp: {', '.join(r.partners)}")
    if r.id:
        lines.append(f"(mã {r.id})")
    return "\n".join(lines)


def _repeat_as_header(row) -> None:
    """Mark the row as the table's header, which Word repeats at the top of every page."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


# --- Excel ------------------------------------------------------------------------------------

SHEET_COLUMNS = (
    ("STT", 6), ("Mã", 8), ("Cơ quan chủ trì", 28), ("Phối hợp", 28), ("Nhiệm vụ", 60),
    ("Loại", 13), ("Thời hạn", 30), ("Hạn", 12), ("Tiến độ", 16), ("Ngày xong", 12),
    ("Ghi chú", 36), ("Người cập nhật", 18), ("Cập nhật lúc", 17), ("Văn bản", 48),
    ("Mục", 30), ("Ngày văn bản", 13),
)  # fmt: skip
_STATE = {"done": "Đã xong", "doing": "Đang làm", "overdue": "Quá hạn", "unknown": "Chưa cập nhật"}
DATE_FORMAT = "dd/mm/yyyy"
TIME_FORMAT = "dd/mm/yyyy hh:mm"


def to_xlsx(report: ProgressReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tiến độ"
    ws.append([name for name, _ in SHEET_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, row in enumerate(report.rows, 1):
        r, p = row.record, row.progress
        ws.append([
            i, r.id, r.agency, ", ".join(r.partners), r.text, KIND_WORDS.get(r.kind, r.kind),
            row.due_text(), row.due, _STATE[row.state], p.done_on if p else None,
            p.note if p else "", p.by if p else "", p.at if p else None, r.title or r.doc_id,
            r.section, date.fromisoformat(r.date) if r.date else None,
        ])  # fmt: skip
    for n, (_, width) in enumerate(SHEET_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    for column, fmt in (("H", DATE_FORMAT), ("J", DATE_FORMAT), ("M", TIME_FORMAT),
                        ("P", DATE_FORMAT)):  # fmt: skip
        for cell in ws[column][1:]:
            cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
