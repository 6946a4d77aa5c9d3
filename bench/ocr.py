"""`make bench` (scanned documents): OCR time per page, accuracy, and reloads of 20 scanned pages.

Usage: python -m bench.ocr [--pages 20] [--out bench/OCR_RESULTS.md] [--json]

Pages are drawn here from Vietnamese sentences (matplotlib's DejaVu Sans has every glyph),
at A4 and 300 dpi, each page different so the cache cannot serve one page for another.
Measured in one run, each against the first full reading as its baseline: OCR of one page
(render + recognise), the first reload of the 20 pages (both cores), a reload with nothing
changed, and a reload from an empty store after touching every file — the case the content
cache is for: the files must be read again, but no page is recognised again.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import platform
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "OCR_RESULTS.md"
TARGET_PAGE_S = 10.0

SENTENCES = (
    "Điều {n}. Sở Tư pháp hoàn thành việc số hóa sổ hộ tịch của xã số {n} trước ngày {d}/6/2025.",
    "Công an tỉnh cấp tài khoản định danh điện tử cho công chức cấp xã trong quý III/2025.",
    "Văn phòng Ủy ban nhân dân tỉnh tổng hợp kết quả, báo cáo Chủ tịch trước ngày {d}/12/2025.",
    "Các sở, ngành kết nối hệ thống một cửa điện tử với Cơ sở dữ liệu quốc gia về dân cư.",
    "Bưu điện tỉnh phối hợp hướng dẫn người dân kích hoạt tài khoản VNeID mức độ 2.",
    "Trung tâm Phục vụ hành chính công tiếp nhận hồ sơ trực tuyến toàn trình đạt {n}0%.",
)


def page_lines(n: int) -> list[str]:
    """Page n's lines: the sentences three times, numbered so that every page differs."""
    return [s.format(n=n + 1 + k, d=(n + k) % 27 + 1) for k in range(3) for s in SENTENCES]


def draw_page(lines: list[str], dpi: int = 300):
    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    size = (int(8.27 * dpi), int(11.69 * dpi))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), round(11 * dpi / 72))
    y = round(60 * dpi / 72)
    for line in lines:
        draw.text((round(50 * dpi / 72), y), line, font=font, fill=0)
        y += round(11 * dpi / 72 * 1.7)
    return image


def scan_pdf(path: Path, images) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    for image in images:
        pdf.add_page()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    pdf.output(str(path))


def accuracy(expected: list[str], got: list[str]) -> float:
    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / len(expected)


def measure(pages: int, work: Path) -> dict:
    from index.build import reload_store
    from index.normalize import fold
    from index.readers import ocr
    from index.store import Store

    if ocr.missing():
        raise SystemExit(f"bench.ocr: {ocr.missing()}")
    lines = page_lines(0)
    page_times, render_times = [], []
    words: list[str] = []
    import pypdfium2

    scan_pdf(work / "one.pdf", [draw_page(lines)])
    for _ in range(3):
        render_started = time.perf_counter()
        document = pypdfium2.PdfDocument(str(work / "one.pdf"))
        rendered = document[0].render(scale=ocr.DPI / 72, grayscale=True).to_pil()
        document.close()
        recognise_started = time.perf_counter()
        record = ocr.recognise(rendered)
        done = time.perf_counter()
        render_times.append(recognise_started - render_started)
        page_times.append(done - render_started)
        words = [w[0] for w in record["words"]]  # Tesseract gives them in reading order
    expected = " ".join(lines).split()
    exact = accuracy(expected, words)
    folded = accuracy([fold(w).lower() for w in expected], [fold(w).lower() for w in words])

    kb = work / "kb"
    kb.mkdir()
    per_file = 5
    for f in range(pages // per_file):
        images = [draw_page(page_lines(f * per_file + i)) for i in range(per_file)]
        scan_pdf(kb / f"ban-quet-{f + 1:02d}.pdf", images)
    store = Store(work / "var" / "a.sqlite")
    started = time.perf_counter()
    first = reload_store(kb, store)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    unchanged = reload_store(kb, store)
    unchanged_s = time.perf_counter() - started
    for path in kb.iterdir():
        os.utime(path)
    started = time.perf_counter()
    cached = reload_store(kb, Store(work / "var" / "b.sqlite"))
    cached_s = time.perf_counter() - started
    return {
        "page_ocr_s": sorted(page_times)[1],
        "page_render_s": sorted(render_times)[1],
        "words_exact": exact,
        "words_accent_insensitive": folded,
        "pages": pages,
        "first_reload_s": first_s,
        "first_ocr_s": sum(s.seconds for _, s in first.ocr),
        "first_recognised": sum(s.recognised for _, s in first.ocr),
        "confidence": min((s.confidence for _, s in first.ocr), default=0.0),
        "unchanged_reload_s": unchanged_s,
        "unchanged_read": len(unchanged.ocr),
        "cached_reload_s": cached_s,
        "cached_ocr_s": sum(s.seconds for _, s in cached.ocr),
        "cached_recognised": sum(s.recognised for _, s in cached.ocr),
        "cached_files": len(cached.ocr),
    }


def report(r: dict) -> str:
    cpu = platform.processor() or platform.machine()
    rows = [
        (
            "OCR of one A4 page at 300 dpi (render + recognise, median of 3)",
            f"{r['page_ocr_s']:.2f} s (render {r['page_render_s']:.2f} s)",
            f"< {TARGET_PAGE_S:.0f} s",
        ),
        (
            "words recognised exactly / accent-insensitive",
            f"{r['words_exact']:.1%} / {r['words_accent_insensitive']:.1%}",
            "≥ 95% / ≥ 98%",
        ),
        (
            f"first reload of {r['pages']} scanned pages (both cores)",
            f"{r['first_reload_s']:.1f} s ({r['first_recognised']} pages recognised, "
            f"{r['first_ocr_s']:.1f} s of OCR in the workers, lowest mean confidence "
            f"{r['confidence']:.0f}%)",
            "baseline",
        ),
        (
            "reload, nothing changed",
            f"{r['unchanged_reload_s']:.2f} s ({r['unchanged_read']} files read)",
            "no OCR",
        ),
        (
            "reload from an empty store, every file touched (content cache)",
            f"{r['cached_reload_s']:.2f} s ({r['cached_files']} files read, "
            f"{r['cached_recognised']} pages recognised, {r['cached_ocr_s']:.1f} s of OCR)",
            "no OCR",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return (
        "# OCR benchmark (`python -m bench.ocr`, part of `make bench`)\n\n"
        f"Measured {datetime.now():%Y-%m-%d} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}.\n\n"
        "| figure | measured | target |\n| --- | --- | --- |\n" + table + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, default=20, help="scanned pages to reload (×5)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="de06-bench-ocr-") as tmp:
        result = measure(max(5, args.pages), Path(tmp))
    text = report(result)
    args.out.write_text(text, encoding="utf-8")
    print(json.dumps(result, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
