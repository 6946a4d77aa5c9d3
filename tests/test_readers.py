"""Each format's reader gives blocks in document order, with the format's quirks handled inside."""

from pathlib import Path

import pytest

from index.blocks import Heading, Paragraph, TableRow
from index.errors import DocumentError
from index.readers import read_file

from plan_docs import decision_pdf, plan_docx, scanned_pdf

DATA = Path(__file__).parent / "data" / "plans"


def read(path: Path):
    return read_file(path.read_bytes(), path.suffix, Path(path.name))


def texts(blocks) -> list[str]:
    return [b.text if not isinstance(b, TableRow) else " | ".join(b.cells) for b in blocks]


def test_docx_tables_sit_between_the_paragraphs_around_them(tmp_path):
    blocks = read(plan_docx(tmp_path / "plan.docx")).blocks
    kinds = [type(b).__name__ for b in blocks]
    table_at = kinds.index("TableRow", 4)  # after the header table
    shown = texts(blocks)
    assert shown.index("PHỤ LỤC") < table_at
    assert shown.index("Nơi nhận:") > table_at


def test_docx_merged_group_row_comes_back_repeated_across_the_row(tmp_path):
    rows = [b for b in read(plan_docx(tmp_path / "plan.docx")).blocks if isinstance(b, TableRow)]
    group = next(r for r in rows if "NHÓM NHIỆM VỤ" in " ".join(r.cells))
    assert group.cells[0] == "I" and set(group.cells[1:]) == {"NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU"}


def test_docx_bold_paragraph_is_marked_emphasised(tmp_path):
    blocks = read(plan_docx(tmp_path / "plan.docx")).blocks
    heading = next(
        b for b in blocks if isinstance(b, Paragraph) and b.text == "II. NHIỆM VỤ CỤ THỂ"
    )
    plain = next(b for b in blocks if isinstance(b, Paragraph) and b.text.startswith("Khai thác"))
    assert heading.emphasis and not plain.emphasis


def test_docx_heading_styles_give_their_level(tmp_path):
    blocks = read(plan_docx(tmp_path / "plan.docx", bold_headings=False)).blocks
    assert Heading("II. NHIỆM VỤ CỤ THỂ", 2) in blocks


def test_markdown_pipe_table_becomes_rows_of_one_table():
    raw = (
        "# Kế hoạch\n\n| STT | Nhiệm vụ | Chủ trì |\n|---|:---|---|\n"
        "| 1 | Rà soát \\| làm sạch | Sở Tư pháp |\n| 2 | Kết nối | Công an tỉnh |\n\nHết.\n"
    ).encode()
    blocks = read_file(raw, ".md", Path("k.md")).blocks
    assert blocks[0] == Heading("Kế hoạch", 1)
    assert [b.cells for b in blocks if isinstance(b, TableRow)] == [
        ("STT", "Nhiệm vụ", "Chủ trì"),
        ("1", "Rà soát | làm sạch", "Sở Tư pháp"),
        ("2", "Kết nối", "Công an tỉnh"),
    ]
    assert blocks[-1] == Paragraph("Hết.")


def test_plain_text_lines_stay_paragraphs_as_typed():
    raw = "Dòng một.\n\n| không phải bảng\n# không phải tiêu đề\n".encode()
    assert texts(read_file(raw, ".txt", Path("a.txt")).blocks) == [
        "Dòng một.",
        "| không phải bảng",
        "# không phải tiêu đề",
    ]


def test_saved_web_page_keeps_the_article_and_drops_its_chrome():
    result = read(DATA / "hoa-phong-day-nhanh-cap-can-cuoc.html")
    body = "\n".join(texts(result.blocks))
    assert "412.560 thẻ căn cước" in body and "phủ sóng di động" in body
    for chrome in (
        "Trang chủ",
        "Quảng cáo",
        "Tin xem nhiều",
        "Giá lúa",
        "Giấy phép",
        "Ảnh: T.Minh",
    ):
        assert chrome not in body


def test_saved_web_page_title_and_date_come_from_its_metadata():
    meta = read(DATA / "hoa-phong-day-nhanh-cap-can-cuoc.html").meta
    assert meta.title == "Hòa Phong đẩy nhanh cấp căn cước cho người dân vùng sâu"
    assert meta.date == "2025-04-08"


def test_web_page_without_an_article_is_refused_by_name(tmp_path):
    page = tmp_path / "trong.html"
    page.write_text("<html><body><nav>Trang chủ</nav></body></html>", encoding="utf-8")
    with pytest.raises(DocumentError, match="trong.html: trang web không có nội dung"):
        read(page)


def test_pdf_wrapped_lines_are_joined_into_their_paragraph():
    body = texts(read(DATA / "quyet-dinh-to-cong-tac-tan-lap.pdf").blocks)
    assert (
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế hoạt động của Tổ công tác Đề án 06 "
        "huyện Tân Lập."
    ) in body


def test_pdf_ruled_table_is_read_as_rows_with_wrapped_cells_joined():
    rows = [b.cells for b in read(DATA / "quyet-dinh-to-cong-tac-tan-lap.pdf").blocks
            if isinstance(b, TableRow)]  # fmt: skip
    assert rows[0] == ("TT", "Nội dung", "Chủ trì", "Thời gian")
    assert ("2", "Sơ kết 6 tháng thực hiện Đề án 06 trên địa bàn huyện", "Công an huyện",
            "Tháng 7/2025") in rows  # fmt: skip


def test_pdf_table_over_a_page_break_is_one_table_without_its_repeated_header(tmp_path):
    pdf = decision_pdf(tmp_path / "qd.pdf", rows=40)
    rows = [b for b in read(pdf).blocks if isinstance(b, TableRow)]
    assert len({r.table for r in rows}) == 1
    assert [r.cells[0] for r in rows] == ["STT"] + [str(i) for i in range(1, 41)]


def test_pdf_running_header_footer_and_page_numbers_are_dropped(tmp_path):
    body = "\n".join(texts(read(decision_pdf(tmp_path / "qd.pdf", rows=40)).blocks))
    assert "Trang 1" not in body and "Trang 2" not in body
    assert "Quyết định 15/QĐ-BCĐ" not in body
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày 01/02/2025." in body


def test_pdf_header_lines_stay_apart_from_the_title(tmp_path):
    body = texts(read(decision_pdf(tmp_path / "qd.pdf")).blocks)
    assert body[0] == "BAN CHỈ ĐẠO ĐỀ ÁN 06 TỈNH AN LẠC"
    assert body[1].startswith("QUYẾT ĐỊNH Ban hành")


def test_scanned_pdf_is_refused_by_name_with_the_reason(tmp_path):
    with pytest.raises(DocumentError) as err:
        read(scanned_pdf(tmp_path / "ban-quet.pdf"))
    assert err.value.path.name == "ban-quet.pdf" and "không có lớp chữ" in err.value.reason


def test_unknown_format_names_the_ones_that_are_read():
    with pytest.raises(DocumentError, match=r"\.md, \.txt, \.docx, \.pdf, \.html"):
        read_file(b"x", ".odt", Path("a.odt"))
