"""Plan and decision documents generated for tests: DOCX with python-docx, PDF with fpdf2.

They are shaped like real ones (see ../shared/DOMAIN.md) but written here, so tests can put a
table over a page break, merge a group row or drop the text layer at will.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from fpdf import FPDF

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"

HEADER_ROW = ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn")
TASKS = (
    ("1", "Rà soát, làm sạch dữ liệu hộ tịch", "Sở Tư pháp", "Công an tỉnh", "30/4/2025"),
    (
        "2",
        "Cấp tài khoản định danh điện tử cho cán bộ",
        "Công an tỉnh",
        "Sở Nội vụ",
        "Quý III/2025",
    ),
    ("3", "Kết nối hệ thống một cửa với VNeID", "Sở Khoa học và Công nghệ", "", "Tháng 9/2025"),
    ("4", "Báo cáo sơ kết việc thực hiện", "Văn phòng UBND tỉnh", "Các sở, ngành", "Hằng quý"),
)


def plan_docx(
    path: Path,
    *,
    rows: Sequence[Sequence[str]] = TASKS,
    group: str = "I. NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU",
    bold_headings: bool = True,
) -> Path:
    """A plan: header, bold numbered sections, a task table with a merged group row, prose."""
    doc = Document()
    header = doc.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN TỈNH AN LẠC"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    header.cell(1, 0).text = "Số: 37/KH-UBND"
    header.cell(1, 1).text = "An Lạc, ngày 14 tháng 01 năm 2025"
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("KẾ HOẠCH").bold = True
    doc.add_paragraph().add_run("Triển khai Đề án 06 trên địa bàn tỉnh năm 2025").bold = True
    _section(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold_headings)
    doc.add_paragraph(
        "Khai thác hiệu quả Cơ sở dữ liệu quốc gia về dân cư trong giải quyết thủ tục hành chính."
    )
    _section(doc, "II. NHIỆM VỤ CỤ THỂ", bold_headings)
    doc.add_paragraph("Các nhiệm vụ cụ thể tại Phụ lục kèm theo Kế hoạch này.")
    _section(doc, "III. TỔ CHỨC THỰC HIỆN", bold_headings)
    _section(doc, "1. Sở Tư pháp", bold_headings)
    doc.add_paragraph(
        "- Hướng dẫn các xã số hóa sổ hộ tịch giai đoạn 2015-2020, hoàn thành trước ngày "
        "31/10/2025."
    )
    doc.add_paragraph("- Tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 20 hằng tháng.")
    _section(doc, "PHỤ LỤC", bold_headings)
    doc.add_paragraph("DANH MỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06 NĂM 2025")
    table = doc.add_table(rows=2 + len(rows), cols=len(HEADER_ROW))
    for i, text in enumerate(HEADER_ROW):
        table.cell(0, i).text = text
    merged = table.cell(1, 1).merge(table.cell(1, len(HEADER_ROW) - 1))
    table.cell(1, 0).text = group.split(".")[0]
    merged.text = group.split(". ", 1)[1]
    for r, row in enumerate(rows, start=2):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_paragraph("Nơi nhận:")
    doc.add_paragraph("- Như trên;")
    doc.add_paragraph("KT. CHỦ TỊCH")
    doc.save(path)
    return path


def _section(doc, text: str, bold: bool) -> None:
    if bold:
        doc.add_paragraph().add_run(text).bold = True
    else:
        doc.add_heading(text, level=2)


class _DecisionPdf(FPDF):
    def header(self) -> None:  # a running header on every page, as offices print them
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, "Ban Chỉ đạo Đề án 06 tỉnh An Lạc — Quyết định 15/QĐ-BCĐ", align="C")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"Trang {self.page_no()}", align="C")


def decision_pdf(path: Path, *, rows: int = 30, filler: int = 0) -> Path:
    """A decision: articles with wrapped lines, then an appendix table long enough to continue
    on the next page with its header row repeated; `filler` paragraphs push it further down."""
    pdf = _DecisionPdf(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(
        0, 7, "BAN CHỈ ĐẠO ĐỀ ÁN 06 TỈNH AN LẠC", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.multi_cell(
        0,
        7,
        "QUYẾT ĐỊNH Ban hành Kế hoạch kiểm tra việc triển khai Đề án 06",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 10.5)
    articles = (
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch kiểm tra việc triển khai Đề án 06 "
        "tại các sở, ngành và Ủy ban nhân dân cấp xã trên địa bàn tỉnh An Lạc năm 2025.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày 01/02/2025.",
        "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các sở và Chủ tịch UBND các xã chịu trách "
        "nhiệm thi hành Quyết định này.",
    )
    for text in articles:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    for i in range(filler):
        pdf.multi_cell(
            0,
            6,
            f"Đoạn bổ sung số {i + 1} về việc kiểm tra tiến độ thực hiện.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(
        0, 7, "PHỤ LỤC: DANH SÁCH ĐƠN VỊ ĐƯỢC KIỂM TRA", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(10, 60, 40, 30), repeat_headings=1) as table:
        table.row(("STT", "Nội dung kiểm tra", "Đơn vị chủ trì", "Thời gian"))
        for i in range(1, rows + 1):
            due = f"{(i % 28) + 1}/{(i % 12) + 1}/2025"
            task = f"Kiểm tra việc kết nối dữ liệu tại xã số {i}"
            table.row((str(i), task, f"Phòng Kiểm tra số {i}", due))
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF whose only page is a picture of text: no text layer, as a scanner makes it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 1100, 160), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210)
    pdf.output(str(path))
    return path
