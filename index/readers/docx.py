"""Word (.docx): paragraphs and tables interleaved as in the file, headings from styles or bold.

python-docx iterates the body in document order, so a task table sits between the sections
it belongs to. Merged cells come back repeated (python-docx's `row.cells`), which is what a
group row spanning the table looks like to the structure pass. The archive is checked
before python-docx sees it: a zip bomb or a file that is not Word is refused by name.

Numbers that Word generates (automatic heading and list numbering) are not in a paragraph's
text; `docx_numbering` computes them from the numbering definitions, in document order, and
they are put back in front of the text ("II. NHIỆM VỤ CỤ THỂ") as if the author had typed them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from index.blocks import Block, DocMeta, Heading, Paragraph, ReadResult, TableRow
from index.errors import DocumentError
from index.readers.archive import check_archive
from index.readers.docx_numbering import Numberer

_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề|title)\s*(\d)?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def read_docx(raw: bytes, rel: Path) -> ReadResult:
    document = open_docx(raw, rel)
    numberer = Numberer(document)
    blocks: list[Block] = []
    tables = 0
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            tables += 1
            blocks.extend(_rows(item, tables, numberer))
            continue
        text = _numbered(item, numberer)
        if not text:
            continue
        level = _heading_level(item)
        if level:
            blocks.append(Heading(text, level))
        else:
            blocks.append(Paragraph(text, emphasis=_all_bold(item)))
    props = document.core_properties
    meta = DocMeta(title=_clean(props.title or ""))
    return ReadResult(tuple(blocks), meta)


def open_docx(raw: bytes, rel: Path):
    """A python-docx Document, after checking the archive is a real, reasonable Word file."""
    check_archive(raw, rel, "word/document.xml", ".docx", "Word")
    import docx

    try:
        return docx.Document(io.BytesIO(raw))
    except Exception as err:  # python-docx raises many types on malformed XML
        raise DocumentError(rel, f"không đọc được tệp .docx ({type(err).__name__})") from err


def _numbered(paragraph, numberer: Numberer, alone: bool = False) -> str:
    """The paragraph's text with the number Word shows before it (counted even when empty).

    `alone`: an empty paragraph still shows its number (an STT cell numbered by Word).
    """
    label = numberer.label(paragraph)
    text = _clean(paragraph.text)
    if label and (text or (alone and label != "-")):
        return f"{label} {text}".strip()
    return text


def _rows(table, number: int, numberer: Numberer) -> list[TableRow]:
    out = []
    read: dict = {}  # cell element → text: a merged cell repeats, its numbers count once

    def cell_text(cell) -> str:
        if cell._tc not in read:
            read[cell._tc] = _clean(" ".join(_numbered(p, numberer, True) for p in cell.paragraphs))
        return read[cell._tc]

    for row in table.rows:
        try:
            cells = tuple(cell_text(cell) for cell in row.cells)
        except (ValueError, IndexError):  # a malformed grid: read the cells that exist
            cells = tuple(_clean(tc.xpath("string(.)")) for tc in row._tr.tc_lst)
        if any(cells):
            out.append(TableRow(cells, number))
    return out


def _heading_level(paragraph) -> int:
    """The outline level of a heading style ("Heading 2", "Title"), else 0."""
    style = paragraph.style
    while style is not None:
        found = _HEADING_STYLE.match(style.name or "")
        if found:
            return int(found[1] or 1)
        style = style.base_style
    p_pr = paragraph._p.pPr
    level = p_pr.find(_qn("w:outlineLvl")) if p_pr is not None else None
    if level is not None:
        value = level.get(_qn("w:val"))
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 1
    return 0


def _all_bold(paragraph) -> bool:
    """Every run with letters is bold, directly or through its style."""
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs:
        return False
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    for run in runs:
        bold = run.bold
        if bold is None and run.style is not None:
            bold = run.style.font.bold
        if not (bold or (bold is None and style_bold)):
            return False
    return True


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()
