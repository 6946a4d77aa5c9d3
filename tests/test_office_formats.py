"""Excel task lists (.xlsx), and .doc/.xls converted by LibreOffice into the modern readers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from index.blocks import Heading, Paragraph, TableRow
from index.build import reload_store
from index.cache import Cache
from index.errors import DocumentError
from index.ingest import read_document
from index.readers import office, read_file
from index.store import Store

from format_docs import libreoffice_convert, need, reload_without_system_programs, task_xlsx
from plan_docs import plan_docx

ROOT = Path(__file__).resolve().parent.parent


def passages(path: Path):
    doc = read_document(path, Path(path.name))
    from index.passages import passages_from_units

    return passages_from_units(doc.doc_id, doc.units, doc.title)[1]


def stored(kb: Path, db: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Passages (section, text) and deadlines (due, text) as a reload stores them."""
    store = Store(db)
    report = reload_store(kb, store, workers=1)
    assert not report.skipped, report.skipped
    rows = store.db().execute("SELECT section, text FROM passages ORDER BY doc_id, ordinal")
    due = store.db().execute("SELECT due, text FROM deadlines ORDER BY due, text")
    return list(rows), list(due)


# --- .xlsx ---------------------------------------------------------------------------------------


def test_xlsx_header_row_is_found_by_meaning_below_the_title_rows(tmp_path):
    raw = task_xlsx(tmp_path / "nv.xlsx").read_bytes()
    blocks = read_file(raw, ".xlsx", Path("nv.xlsx")).blocks
    assert blocks[0] == Heading("Nhiệm vụ 2025", 1)
    assert blocks[1] == Paragraph("DANH MỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06 NĂM 2025")
    first_row = next(b for b in blocks if isinstance(b, TableRow))
    assert first_row.cells[1] == "Nội dung nhiệm vụ"


def test_xlsx_merged_group_row_is_the_section_of_its_tasks(tmp_path):
    found = {p.section: p.text for p in passages(task_xlsx(tmp_path / "nv.xlsx"))}
    section = "Nhiệm vụ 2025 › I. NHÓM NHIỆM VỤ HOÀN THIỆN THỂ CHẾ › 2"
    assert found[section].startswith("Nhiệm vụ: Cấp tài khoản định danh điện tử")
    assert "Chủ trì: Công an tỉnh · Phối hợp: Sở Nội vụ" in found[section]


def test_xlsx_excel_date_and_text_date_both_become_deadlines(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    task_xlsx(kb / "nv.xlsx")
    _, deadlines = stored(kb, tmp_path / "de06.sqlite")
    due = {d for d, _ in deadlines}
    assert {"2025-06-30", "2025-08-15", "2025-11-30"} <= due  # date cells and a typed "15/8/2025"


def test_xlsx_sheet_without_a_task_header_is_read_as_a_plain_table(tmp_path):
    found = {p.section: p.text for p in passages(task_xlsx(tmp_path / "nv.xlsx"))}
    expected = "Chỉ tiêu: Hồ sơ trực tuyến toàn trình · Năm 2024: 45% · Năm 2025: 80%"
    assert found["Chỉ tiêu"] == expected


def test_xlsx_default_sheet_name_stays_out_of_the_section_path(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(("Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"))
    book.active.append(("Số hóa hồ sơ", "Sở Tư pháp", "30/6/2025"))
    book.save(tmp_path / "nv.xlsx")
    (row,) = passages(tmp_path / "nv.xlsx")
    assert row.section == "" and row.text.startswith("Nhiệm vụ: Số hóa hồ sơ")


def test_xlsx_title_row_names_the_workbook(tmp_path):
    doc = read_document(task_xlsx(tmp_path / "nv.xlsx"))
    assert doc.title == "DANH MỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06 NĂM 2025"


def test_xlsx_formula_is_read_as_its_last_computed_value(tmp_path):
    made = task_xlsx(tmp_path / "nv.xlsx", formula=True)
    saved = libreoffice_convert(made, "xlsx", tmp_path / "saved")  # LibreOffice computes it
    found = {p.section: p.text for p in passages(saved)}
    assert found["Nhiệm vụ 2025 › II. NHÓM NHIỆM VỤ KẾT NỐI DỮ LIỆU › 3"].endswith(
        "Thời hạn: 30/11/2025"
    )


# --- .doc / .xls through LibreOffice -------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "old_format"),
    [
        (plan_docx, "ke-hoach.docx", "doc:MS Word 97"),
        (task_xlsx, "nhiem-vu.xlsx", "xls:MS Excel 97"),
    ],
    ids=["doc", "xls"],
)
def test_a_97_file_gives_the_same_passages_and_deadlines_as_the_file_it_was_made_from(
    tmp_path, make, name, old_format
):
    need("soffice")
    modern, old = tmp_path / "modern", tmp_path / "old"
    modern.mkdir()
    old.mkdir()
    converted = libreoffice_convert(make(modern / name), old_format, tmp_path / "out")
    shutil.copy(converted, old / converted.name)
    assert converted.suffix in (".doc", ".xls")
    assert stored(old, tmp_path / "old.sqlite") == stored(modern, tmp_path / "modern.sqlite")


def test_a_converted_doc_is_taken_from_the_cache_without_libreoffice(tmp_path, monkeypatch):
    need("soffice")
    doc = libreoffice_convert(plan_docx(tmp_path / "kh.docx"), "doc:MS Word 97", tmp_path / "o")
    cache = Cache(tmp_path / "cache")
    first = read_file(doc.read_bytes(), ".doc", Path("kh.doc"), cache)
    monkeypatch.setattr(office, "soffice", lambda: None)  # as if LibreOffice were gone
    assert read_file(doc.read_bytes(), ".doc", Path("kh.doc"), cache) == first


def test_a_conversion_past_its_time_limit_is_killed_and_reported_by_name(tmp_path, monkeypatch):
    need("soffice")
    doc = libreoffice_convert(plan_docx(tmp_path / "kh.docx"), "doc:MS Word 97", tmp_path / "o")
    monkeypatch.setenv("DE06_CONVERT_SECONDS", "0.2")  # soffice cannot even start in that time
    with pytest.raises(DocumentError) as err:
        read_file(doc.read_bytes(), ".doc", Path("treo.doc"), Cache(tmp_path / "cache"))
    assert err.value.path.name == "treo.doc" and "bị dừng" in err.value.reason
    left = subprocess.run(["pgrep", "-f", "de06-convert-"], capture_output=True, text=True)
    assert left.stdout.strip() == ""  # the whole soffice process group is gone


def test_a_doc_that_is_not_a_word_file_is_reported_by_name(tmp_path):
    need("soffice")
    with pytest.raises(DocumentError) as err:
        read_file(b"day khong phai tep Word " * 20, ".doc", Path("hong.doc"), None)
    assert err.value.path.name == "hong.doc" and "không phải tệp Word" in err.value.reason


def test_a_broken_word_97_file_is_reported_by_name(tmp_path):
    need("soffice")
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00rac" * 300
    with pytest.raises(DocumentError) as err:
        read_file(broken, ".doc", Path("hong.doc"), Cache(tmp_path / "cache"))
    assert err.value.path.name == "hong.doc"


def test_without_libreoffice_doc_and_xls_are_reported_with_the_package(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cu.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (kb / "bang-cu.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    shutil.copy(ROOT / "knowledge/documents/2023-02-21-vuong-mac-so-ho-khau.md", kb)
    out = reload_without_system_programs(kb, tmp_path / "x.sqlite")
    assert "thêm 1" in out.stdout
    assert "cu.doc" in out.stdout and "libreoffice-writer-nogui" in out.stdout
    assert "bang-cu.xls" in out.stdout and "libreoffice-calc-nogui" in out.stdout


def test_an_html_table_saved_as_xls_by_a_portal_is_read_as_a_sheet(tmp_path):
    need("soffice")
    html = (
        "<html><body><table><tr><td>Nội dung nhiệm vụ</td><td>Đơn vị chủ trì</td>"
        "<td>Thời hạn</td></tr><tr><td>Số hóa hồ sơ hộ tịch</td><td>Sở Tư pháp</td>"
        "<td>30/6/2025</td></tr></table></body></html>"
    ).encode()
    read = read_file(html, ".xls", Path("xuat-tu-cong.xls"), Cache(tmp_path / "cache"))
    rows = [b.cells for b in read.blocks if isinstance(b, TableRow)]
    assert ("Số hóa hồ sơ hộ tịch", "Sở Tư pháp", "30/6/2025") in rows
