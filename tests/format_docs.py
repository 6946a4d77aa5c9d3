"""Scanned pages, Excel task lists, auto-numbered Word files and LibreOffice conversions, for tests.

A scan is made as a scanner makes it: Vietnamese text drawn on an A4 page image at a given
resolution with a font that has every glyph (matplotlib's DejaVu Sans), a ruled task table
on it, and the image alone put in a PDF, with no text layer. The words drawn are returned
too, so a test can measure what OCR got right.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from bench.ocr import scan_pdf

from plan_docs import FONT, FONT_BOLD

SCAN_LINES = (
    ("bold", "ỦY BAN NHÂN DÂN TỈNH AN LẠC"),
    ("", "Số: 15/QĐ-UBND"),
    ("", "An Lạc, ngày 20 tháng 01 năm 2025"),
    ("bold", "QUYẾT ĐỊNH"),
    ("bold", "Về việc kiểm tra việc triển khai Đề án 06 năm 2025"),
    ("", "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch kiểm tra việc triển"),
    ("", "khai Đề án 06 tại các sở, ngành và Ủy ban nhân dân cấp xã trên địa bàn tỉnh."),
    ("", "Điều 2. Sở Tư pháp hoàn thành việc số hóa sổ hộ tịch trước ngày 30/6/2025."),
    ("", "Công an tỉnh hoàn thành việc cấp tài khoản định danh điện tử cho cán bộ,"),
    ("", "công chức cấp xã trước ngày 15/8/2025."),
    ("", "Điều 3. Quyết định này có hiệu lực kể từ ngày 01/02/2025."),
)
SCAN_TABLE = (
    ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"),
    ("1", "Rà soát dữ liệu hộ tịch", "Sở Tư pháp", "30/9/2025"),
    ("2", "Kết nối hệ thống một cửa", "Văn phòng UBND tỉnh", "31/10/2025"),
)
A4_INCHES = (8.27, 11.69)


def scan_words() -> list[str]:
    """Every word drawn on the scanned page, in reading order."""
    words = [w for _, line in SCAN_LINES for w in line.split()]
    return words + [w for row in SCAN_TABLE for cell in row for w in cell.split()]


def scanned_page(dpi: int = 300, *, noise: float = 0.0, seed: int = 6):
    """A PIL image of one A4 page of a decision, as a scanner at `dpi` gives it."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    width, height = (int(side * dpi) for side in A4_INCHES)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    px = dpi / 72  # pixels per point
    regular = ImageFont.truetype(str(FONT), round(12 * px))
    bold = ImageFont.truetype(str(FONT_BOLD), round(12 * px))
    left, y = round(60 * px), round(60 * px)
    step = round(12 * px * 1.6)
    for i, (style, line) in enumerate(SCAN_LINES):
        if i in (3, 5):  # space before the title and before the articles
            y += step
        draw.text((left, y), line, font=bold if style else regular, fill=0)
        y += step
    y += step
    cols = [left, left + round(40 * px), left + round(230 * px), left + round(370 * px)]
    cols.append(left + round(460 * px))
    row_h = round(12 * px * 2.2)
    rule = max(2, round(px))
    for r, row in enumerate(SCAN_TABLE):
        top = y + r * row_h
        for c, cell in enumerate(row):
            draw.text((cols[c] + round(5 * px), top + round(5 * px)), cell, font=regular, fill=0)
    for r in range(len(SCAN_TABLE) + 1):
        draw.line((cols[0], y + r * row_h, cols[-1], y + r * row_h), fill=0, width=rule)
    for x in cols:
        draw.line((x, y, x, y + len(SCAN_TABLE) * row_h), fill=0, width=rule)
    if noise:
        rng = np.random.default_rng(seed)
        pixels = np.asarray(image, dtype=np.float32)
        pixels += rng.normal(0, noise, pixels.shape)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return image


def image_pdf(path: Path, images) -> Path:
    """A PDF whose pages are only these images, as a scanner writes it."""
    scan_pdf(path, images)
    return path


def scanned_decision_pdf(path: Path, dpi: int = 300) -> Path:
    return image_pdf(path, [scanned_page(dpi)])


def mixed_pdf(path: Path) -> Path:
    """Page 1 has a text layer, page 2 is a scan of the decision."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(
        0,
        7,
        "Công văn gửi kèm: Ủy ban nhân dân tỉnh An Lạc gửi các sở, ngành bản quét Quyết định "
        "kiểm tra việc triển khai Đề án 06 để tổ chức thực hiện. Văn phòng UBND tỉnh tổng hợp "
        "kết quả kiểm tra, báo cáo Chủ tịch UBND tỉnh trước ngày 20/12/2025.",
    )
    pdf.add_page()
    buffer = io.BytesIO()
    scanned_page(300).save(buffer, format="PNG")
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


# --- Excel ---------------------------------------------------------------------------------------

XLSX_HEADER = (
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
)


def task_xlsx(path: Path, *, formula: bool = False) -> Path:
    """A task list as working groups keep it: title rows, merged group rows, dates of both kinds."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ 2025"
    sheet["A1"] = "DANH MỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06 NĂM 2025"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "(Kèm theo Kế hoạch số 37/KH-UBND ngày 14/01/2025 của UBND tỉnh An Lạc)"
    sheet.merge_cells("A2:E2")
    sheet.append(XLSX_HEADER)
    sheet.append(("I", "NHÓM NHIỆM VỤ HOÀN THIỆN THỂ CHẾ"))
    sheet.merge_cells("B4:E4")
    sheet.append(
        ("1", "Rà soát quy trình cấp phiếu lý lịch tư pháp trực tuyến", "Sở Tư pháp",
         "Công an tỉnh", date(2025, 6, 30))
    )  # fmt: skip
    sheet["E5"].number_format = "dd/mm/yyyy"
    sheet.append(
        ("2", "Cấp tài khoản định danh điện tử cho công chức cấp xã", "Công an tỉnh",
         "Sở Nội vụ", "15/8/2025")
    )  # fmt: skip
    sheet.append(("II", "NHÓM NHIỆM VỤ KẾT NỐI DỮ LIỆU"))
    sheet.merge_cells("B7:E7")
    sheet.append(
        ("3", "Kết nối hệ thống một cửa điện tử với Cơ sở dữ liệu quốc gia về dân cư",
         "Văn phòng UBND tỉnh", "Sở Khoa học và Công nghệ",
         "=DATE(2025,11,30)" if formula else date(2025, 11, 30))
    )  # fmt: skip
    sheet["E8"].number_format = "dd/mm/yyyy"
    other = book.create_sheet("Chỉ tiêu")
    other.append(("Chỉ tiêu", "Năm 2024", "Năm 2025"))
    other.append(("Hồ sơ trực tuyến toàn trình", 0.45, 0.8))
    other["B2"].number_format = other["C2"].number_format = "0%"
    book.save(path)
    return path


# --- LibreOffice ---------------------------------------------------------------------------------


def need(program: str) -> None:
    """Skip on a developer's machine without the program; CI installs it, so there it fails."""
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is not installed; .ci/run should have installed it")
        pytest.skip(f"{program} not installed (make test installs it when run as root)")


def need_tesseract() -> None:
    from index.readers import ocr

    need("tesseract")
    if ocr.missing():
        pytest.fail(ocr.missing())


def reload_without_system_programs(kb: Path, db: Path) -> subprocess.CompletedProcess:
    """`de06 reload` with a PATH that has neither Tesseract nor LibreOffice on it."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--kb", str(kb), "--db", str(db), "reload"],
        capture_output=True, text=True, cwd=root, timeout=120,
        env={**os.environ, "PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out


def libreoffice_convert(source: Path, target: str, out_dir: Path) -> Path:
    """`source` converted by LibreOffice in the test, as an office would save it."""
    need("soffice")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir / "profile").resolve().as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
         "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out_dir / f"{source.stem}.{target.split(':')[0]}"


# --- Word automatic numbering --------------------------------------------------------------------

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_HEADINGS_LIST = f"""
<w:abstractNum {_W} w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>
    <w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
    <w:pStyle w:val="Heading2"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
    <w:lvlText w:val="%3)"/></w:lvl>
</w:abstractNum>"""
_OUTLINE_LIST = f"""
<w:abstractNum {_W} w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
    <w:lvlText w:val="%1.%2."/></w:lvl>
</w:abstractNum>"""


def numbered_docx(path: Path) -> Path:
    """A plan whose headings and items are numbered by Word's list feature, not typed.

    Headings 1/2 are bound to an upperRoman/decimal list through their styles (as Word's
    "multilevel list" linked to heading styles does); items under them are "a)", "b)" at
    level 3, restarting at "a)" under each heading; a list that overrides its start ("restart
    numbering") begins at "a)" again in the same section; an appendix uses "1.", "1.1.".
    """
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    doc = Document()
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    for xml in (_HEADINGS_LIST, _OUTLINE_LIST):
        abstract = parse_xml(xml)
        if first_num is not None:
            first_num.addprevious(abstract)  # abstract definitions come before the lists
        else:
            numbering.append(abstract)
    lists = {
        "headings": ("90", ""),
        "restart": ("90", '<w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride>'),
        "outline": ("91", ""),
    }
    ids = {}
    for n, (name, (abstract, override)) in enumerate(lists.items(), start=90):
        numbering.append(
            parse_xml(
                f'<w:num {_W} w:numId="{n}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>'
            )
        )
        ids[name] = str(n)
    for level, style in ((0, "Heading 1"), (1, "Heading 2")):
        p_pr = doc.styles[style].element.get_or_add_pPr()
        p_pr.append(
            parse_xml(
                f'<w:numPr {_W}><w:ilvl w:val="{level}"/><w:numId w:val="{ids["headings"]}"/>'
                "</w:numPr>"
            )
        )

    def item(text: str, num: str, level: int) -> None:
        paragraph = doc.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr {_W}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'
            )
        )

    doc.add_heading("MỤC ĐÍCH, YÊU CẦU", level=1)
    doc.add_paragraph("Khai thác hiệu quả dữ liệu dân cư trong giải quyết thủ tục hành chính.")
    doc.add_heading("NHIỆM VỤ CỤ THỂ", level=1)
    doc.add_heading("Công an tỉnh", level=2)
    doc.add_heading("Sở Nội vụ", level=2)
    doc.add_heading("Sở Tư pháp", level=2)
    item("Số hóa sổ hộ tịch, hoàn thành trước ngày 31/10/2025.", ids["headings"], 2)
    item("Cấp phiếu lý lịch tư pháp trên VNeID trong quý IV/2025.", ids["headings"], 2)
    doc.add_paragraph("Nhiệm vụ phối hợp:")
    item("Phối hợp Công an tỉnh làm sạch dữ liệu hộ tịch.", ids["restart"], 2)
    doc.add_heading("TỔ CHỨC THỰC HIỆN", level=1)
    item("Các sở, ngành báo cáo kết quả trước ngày 15/12/2025.", ids["headings"], 2)
    doc.add_paragraph("PHỤ LỤC").runs[0].bold = True
    item("Chỉ tiêu dữ liệu", ids["outline"], 0)
    item("Tỷ lệ hồ sơ hộ tịch được số hóa đạt 100% trong năm 2025.", ids["outline"], 1)
    item("Tỷ lệ dữ liệu được làm sạch đạt 90%.", ids["outline"], 1)
    doc.save(path)
    return path
