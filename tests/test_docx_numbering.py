"""Word's automatic numbering is read as Word shows it, so section paths read "II › 3"."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.blocks import Heading, Paragraph
from index.ingest import read_document
from index.passages import passages_from_units
from index.readers import read_file
from index.readers.docx_numbering import format_number

from format_docs import numbered_docx


@pytest.fixture
def numbered(tmp_path):
    return numbered_docx(tmp_path / "ke-hoach.docx")


def texts(path: Path) -> list[str]:
    read = read_file(path.read_bytes(), ".docx", Path(path.name))
    return [b.text for b in read.blocks if isinstance(b, Heading | Paragraph)]


def test_headings_numbered_through_their_styles_show_roman_and_decimal_numbers(numbered):
    read = read_file(numbered.read_bytes(), ".docx", Path(numbered.name))
    assert [b.text for b in read.blocks if isinstance(b, Heading)] == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NHIỆM VỤ CỤ THỂ",
        "1. Công an tỉnh",
        "2. Sở Nội vụ",
        "3. Sở Tư pháp",
        "III. TỔ CHỨC THỰC HIỆN",
    ]


def test_items_use_their_level_pattern_with_lower_letters(numbered):
    shown = texts(numbered)
    assert "a) Số hóa sổ hộ tịch, hoàn thành trước ngày 31/10/2025." in shown
    assert "b) Cấp phiếu lý lịch tư pháp trên VNeID trong quý IV/2025." in shown


def test_a_level_restarts_after_a_higher_level_is_used(numbered):
    assert "a) Các sở, ngành báo cáo kết quả trước ngày 15/12/2025." in texts(numbered)


def test_a_list_that_overrides_its_start_begins_again(numbered):
    assert "a) Phối hợp Công an tỉnh làm sạch dữ liệu hộ tịch." in texts(numbered)


def test_multi_level_pattern_shows_every_level(numbered):
    shown = texts(numbered)
    assert "1.1. Tỷ lệ hồ sơ hộ tịch được số hóa đạt 100% trong năm 2025." in shown
    assert "1.2. Tỷ lệ dữ liệu được làm sạch đạt 90%." in shown


def test_section_path_reads_as_word_shows_the_numbers(numbered):
    doc = read_document(numbered)
    _, passages = passages_from_units(doc.doc_id, doc.units, doc.title)
    hit = next(p for p in passages if "Số hóa sổ hộ tịch" in p.text)
    assert hit.section == "II. NHIỆM VỤ CỤ THỂ › 3. Sở Tư pháp"
    assert hit.reference == "mục II.3"


def test_numbers_in_auto_numbered_table_cells_are_shown(tmp_path):
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "STT", "Nội dung nhiệm vụ"
    numbering = doc.styles["List Number"].element.pPr.numPr.numId.val
    for r, task in ((1, "Rà soát dữ liệu"), (2, "Kết nối hệ thống")):
        table.cell(r, 1).text = task
        table.cell(r, 0).paragraphs[0]._p.get_or_add_pPr().append(
            parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:ilvl w:val="0"/><w:numId w:val="{numbering}"/></w:numPr>'
            )
        )
    doc.save(tmp_path / "bang.docx")
    read = read_file((tmp_path / "bang.docx").read_bytes(), ".docx", Path("bang.docx"))
    rows = [b.cells for b in read.blocks][1:]
    assert rows == [("1.", "Rà soát dữ liệu"), ("2.", "Kết nối hệ thống")]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (4, "upperRoman", "IV"),
        (9, "lowerRoman", "ix"),
        (2, "lowerLetter", "b"),
        (27, "upperLetter", "AA"),
        (7, "decimalZero", "07"),
        (12, "decimal", "12"),
        (3, "chineseCounting", "3"),
    ],
)
def test_counters_are_shown_in_words_formats(value, fmt, shown):
    assert format_number(value, fmt) == shown
