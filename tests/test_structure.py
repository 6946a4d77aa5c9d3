"""The structure pass: the header as metadata, section paths, task-table rows read by meaning."""

from pathlib import Path

import pytest

from index.blocks import Heading, Paragraph, TableRow
from index.numbering import parse_numbering, short_reference
from index.readers import read_file
from index.structure import agency_case, path_label, path_reference, structure

from plan_docs import plan_docx

DATA = Path(__file__).parent / "data" / "plans"


def units_of(path: Path):
    return structure(read_file(path.read_bytes(), path.suffix, Path(path.name)).blocks)


@pytest.mark.parametrize(
    "text, kind, number",
    [
        ("PHỤ LỤC", "appendix", "Phụ lục"),
        ("Phụ lục II: Danh mục", "appendix", "Phụ lục II"),
        ("Chương II. QUY ĐỊNH CHUNG", "chapter", "Chương II"),
        ("Mục 1. Tổ chức", "section", "Mục 1"),
        ("Điều 12. Hiệu lực thi hành", "article", "Điều 12"),
        ("II. NHIỆM VỤ CỤ THỂ", "roman", "II"),
        ("B. NHIỆM VỤ VỀ THỦ TỤC", "letter", "B"),
        ("3. Sở Tài chính", "number", "3"),
        ("2.1. Rà soát văn bản", "sub", "2.1"),
        ("1.2 Kết nối dữ liệu", "sub", "1.2"),
        ("a) Xây dựng kế hoạch", "alpha", "a"),
    ],
)
def test_vietnamese_section_numbers_are_recognised(text, kind, number):
    found = parse_numbering(text)
    assert found is not None and (found.kind, found.number) == (kind, number)


@pytest.mark.parametrize(
    "text",
    ["- Rà soát", "Mục tiêu của kế hoạch", "15.3.2025 họp", "1.200 hồ sơ", "Phần lớn các xã"],
)
def test_bullets_numbers_and_words_are_not_section_numbers(text):
    assert parse_numbering(text) is None


def test_short_reference_names_named_levels_and_chains_numbers():
    assert short_reference([("appendix", "Phụ lục"), ("roman", "II"), ("row", "3")]) == (
        "Phụ lục, mục II.3"
    )
    assert short_reference([("chapter", "Chương I"), ("article", "Điều 4")]) == "Chương I, Điều 4"
    assert short_reference([("number", "1"), ("sub", "1.2")]) == "mục 1.2"


def test_header_gives_number_kind_issuer_date_and_title(tmp_path):
    header = units_of(plan_docx(tmp_path / "kh.docx")).header
    assert (header.kind, header.number, header.date) == ("Kế hoạch", "37/KH-UBND", "2025-01-14")
    assert header.issuer == "Ủy ban nhân dân tỉnh An Lạc"
    assert header.title == "Kế hoạch 37/KH-UBND — Triển khai Đề án 06 trên địa bàn tỉnh năm 2025"


def test_header_lines_are_metadata_not_passages(tmp_path):
    shown = " ".join(u.text for u in units_of(plan_docx(tmp_path / "kh.docx")).units)
    for line in ("CỘNG HÒA XÃ HỘI", "Số: 37/KH-UBND", "ngày 14 tháng 01 năm 2025", "KẾ HOẠCH"):
        assert line not in shown


def test_signature_and_recipients_are_not_passages(tmp_path):
    shown = " ".join(u.text for u in units_of(plan_docx(tmp_path / "kh.docx")).units)
    assert "Nơi nhận" not in shown and "KT. CHỦ TỊCH" not in shown


def test_bold_numbered_paragraphs_become_nested_sections(tmp_path):
    units = units_of(plan_docx(tmp_path / "kh.docx")).units
    bullet = next(u for u in units if u.text.startswith("- Hướng dẫn các xã"))
    assert path_label(bullet.path) == "III. TỔ CHỨC THỰC HIỆN › 1. Sở Tư pháp"
    assert path_reference(bullet.path) == "mục III.1"


def test_heading_styles_give_the_same_sections(tmp_path):
    units = units_of(plan_docx(tmp_path / "kh.docx", bold_headings=False)).units
    bullet = next(u for u in units if u.text.startswith("- Hướng dẫn các xã"))
    assert path_label(bullet.path) == "III. TỔ CHỨC THỰC HIỆN › 1. Sở Tư pháp"


def test_task_row_is_written_with_its_column_names_and_group_in_its_path(tmp_path):
    units = units_of(plan_docx(tmp_path / "kh.docx")).units
    row = next(u for u in units if u.kind == "row" and "định danh" in u.text)
    assert row.text == (
        "Nhiệm vụ: Cấp tài khoản định danh điện tử cho cán bộ · Chủ trì: Công an tỉnh · "
        "Phối hợp: Sở Nội vụ · Thời hạn: Quý III/2025"
    )
    assert path_label(row.path) == "PHỤ LỤC › I. NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU › 2"
    assert path_reference(row.path) == "Phụ lục, mục I.2"
    assert dict((role, text) for role, _, text in row.cells)["lead"] == "Công an tỉnh"


def test_group_and_header_rows_are_not_task_rows(tmp_path):
    rows = [u for u in units_of(plan_docx(tmp_path / "kh.docx")).units if u.kind == "row"]
    assert len(rows) == 4 and not any("NHÓM" in r.text or "STT" in r.text for r in rows)


@pytest.mark.parametrize(
    "header, role",
    [
        (("TT", "Nội dung công việc", "Đơn vị thực hiện", "Tiến độ"), "lead"),
        (("STT", "Nhiệm vụ", "Người thực hiện", "Thời gian thực hiện"), "time"),
        (("Số TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm"), "partners"),
    ],
)
def test_header_cells_are_recognised_by_meaning_not_position(header, role):
    blocks = [
        TableRow(header, 1),
        TableRow(("1", "Làm A", "Sở B", "Tháng 5/2025", "x")[: len(header)], 1),
    ]
    row = structure(blocks).units[0]
    assert role in {r for r, _, _ in row.cells}


def test_table_without_a_task_header_is_read_as_plain_rows():
    blocks = [TableRow(("Chỉ tiêu", "Năm 2024"), 1), TableRow(("Tài khoản", "210.400"), 1)]
    assert [u.text for u in structure(blocks).units] == ["Chỉ tiêu: Tài khoản · Năm 2024: 210.400"]


def test_agency_heading_typed_plain_before_bullets_is_a_section():
    blocks = [
        Paragraph("1. Công an thành phố"),
        Paragraph("- Phối hợp làm sạch dữ liệu hộ tịch, xong trước ngày 30/9/2025."),
    ]
    units = structure(blocks).units
    assert path_label(units[1].path) == "1. Công an thành phố"


def test_numbered_sentence_is_an_item_not_a_heading():
    blocks = [Paragraph("1. Các sở, ngành rà soát thủ tục hành chính và gửi kết quả trước 30/6.")]
    assert structure(blocks).units[0].kind == "paragraph" and not structure(blocks).units[0].path


def test_article_text_on_its_line_stays_a_paragraph_under_the_article():
    units = structure([Paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")]).units
    assert units[0].kind == "paragraph" and path_label(units[0].path) == "Điều 2"


def test_an_attached_document_after_the_signature_is_read():
    blocks = [
        Paragraph("Điều 3. Các thành viên chịu trách nhiệm thi hành Quyết định này."),
        Paragraph("Nơi nhận:"),
        Paragraph("- Như Điều 3;"),
        Paragraph("QUY CHẾ Hoạt động của Tổ công tác", emphasis=True),
        Paragraph("Điều 1. Phạm vi điều chỉnh", emphasis=True),
        Paragraph("Quy chế này quy định việc họp giao ban hằng tháng."),
    ]
    last = structure(blocks).units[-1]
    assert path_label(last.path) == "QUY CHẾ Hoạt động của Tổ công tác › Điều 1. Phạm vi điều chỉnh"


def test_seed_news_articles_have_no_structure():
    knowledge = Path(__file__).resolve().parent.parent / "knowledge" / "documents"
    for path in knowledge.glob("*.md"):
        doc = structure(read_file(path.read_bytes(), ".md", Path(path.name)).blocks)
        assert not doc.header.kind and not any(u.path for u in doc.units)


def test_heading_blocks_without_numbers_nest_by_their_level():
    units = structure(
        [Heading("Tổ chức thực hiện", 2), Heading("Kinh phí", 3), Paragraph("Ngân sách tỉnh.")]
    ).units
    assert path_label(units[-1].path) == "Tổ chức thực hiện › Kinh phí"


@pytest.mark.parametrize(
    "caps, written",
    [
        ("UBND TỈNH HÒA PHONG", "UBND tỉnh Hòa Phong"),
        ("BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ HUYỆN TÂN LẬP", "Ban Chỉ đạo chuyển đổi số huyện Tân Lập"),
        ("SỞ NỘI VỤ", "Sở Nội vụ"),
        ("ỦY BAN NHÂN DÂN TỈNH AN LẠC", "Ủy ban nhân dân tỉnh An Lạc"),
        ("BAN CHỈ ĐẠO ĐỀ ÁN 06 TỈNH AN LẠC", "Ban Chỉ đạo Đề án 06 tỉnh An Lạc"),
        ("Sở Tư pháp", "Sở Tư pháp"),
    ],
)
def test_capitals_become_a_sentence_style_agency_name(caps, written):
    assert agency_case(caps) == written


def test_sample_plan_rows_carry_their_group_as_section():
    units = units_of(DATA / "ke-hoach-112-kh-snv-hoa-phong-2025.docx").units
    row = next(u for u in units if u.kind == "row" and "Đối chiếu" in u.text)
    assert path_label(row.path) == "II. NHIỆM VỤ CỤ THỂ › A. NHIỆM VỤ VỀ DỮ LIỆU › 1"
