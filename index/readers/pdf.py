"""PDF with a text layer: tables read as tables, the rest in reading order, page furniture dropped.

pdfplumber finds ruled tables and gives every word with its position and font, which is what
it takes to read a PDF as a person does: words outside tables are grouped into lines, lines
split where a wide gap separates two columns (the issuer and the national motto of a header),
wrapped lines joined back into paragraphs, and running headers, footers and page numbers
dropped. A table that continues on the next page is one table, its repeated header row
dropped and a row cut by the page break joined back together.

A page without a usable text layer (a scan: an image, next to no characters) is rendered and
read by OCR (`index/readers/ocr.py`); its words, with their boxes, go through the same line,
paragraph and table code as a text page's, so a mixed file reads each page the right way.
Recognition is cached by the file's content: the same scan is never recognised twice.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from index.blocks import Block, DocMeta, OcrSummary, Paragraph, ReadResult, TableRow
from index.cache import Cache, content_key
from index.errors import DocumentError
from index.readers import ocr

_MARGIN_ZONE = 0.09  # share of the page height at the top and bottom where furniture lives
_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–]?$", re.I)
_STARTS_ITEM = re.compile(
    r"^(?:(?:Điều|Chương|Mục|Phần|PHẦN|CHƯƠNG|MỤC)\s+[\dIVXLC]+|PHỤ\s+LỤC|Phụ\s+lục"
    r"|[IVXLC]+\.|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-–+•*]\s"
    r"|(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|BÁO CÁO|QUY CHẾ|CỘNG HÒA|CỘNG HOÀ|Số\s*:)(?!\w))"
)
_ENDS_SENTENCE = re.compile(r"[.:;!?…)]$")
_SPACES = re.compile(r"\s+")
# Titles that PDF producers write when the author gave none.
_PLACEHOLDER = re.compile(r"^.{0,8}$|anonymous|untitled|^microsoft|\.(?:docx?|pdf|odt)$", re.I)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    ocr: bool = False


@dataclass
class _Table:
    rows: list[list[str]]
    top: float
    bottom: float
    ocr: bool = False


@dataclass
class _Page:
    width: float
    height: float
    items: list[_Line | _Table] = field(default_factory=list)
    chars: int = 0
    scanned: bool = False  # no usable text layer: an image of text


_SCAN_MAX_CHARS = 30  # a scan may carry a stamped page number or a portal's watermark
_SCAN_MIN_IMAGE_SHARE = 0.3  # …over an image covering most of the page


def read_pdf(raw: bytes, rel: Path, cache: Cache | None = None) -> ReadResult:
    pages, info = _open(raw, rel)
    scanned = [i for i, p in enumerate(pages) if p.scanned]
    summary, notes = None, []
    if scanned:
        why = ocr.missing()
        if why and len(scanned) == len(pages):
            raise DocumentError(
                rel,
                f"PDF là bản quét, không có lớp chữ, mà máy {why}; cài gói đó "
                f"(sudo apt-get install {ocr.PACKAGES}) rồi nạp lại, hoặc dùng bản có chữ/.docx",
            )
        if why:
            notes.append(f"{_pages_named(scanned)} là bản quét, chưa đọc được: máy {why}")
        else:
            summary, notes = _read_scans(raw, rel, pages, scanned, cache)
    if not any(p.chars for p in pages):
        if scanned:
            raise DocumentError(
                rel, "PDF là bản quét không có lớp chữ, và OCR không nhận ra chữ nào (bản quét "
                "trống hoặc quá mờ?)"
            )
        raise DocumentError(rel, "PDF không có lớp chữ nào (tệp trống?)")
    _drop_furniture(pages)
    blocks = _blocks(pages)
    title = _SPACES.sub(" ", str(info.get("Title") or "")).strip()
    return ReadResult(
        tuple(blocks),
        DocMeta(title="" if _PLACEHOLDER.search(title) else title),
        ocr=summary,
        notes=tuple(notes),
    )


def _pages_named(indices: list[int]) -> str:
    return "trang " + ", ".join(str(i + 1) for i in indices)


def _open(raw: bytes, rel: Path) -> tuple[list[_Page], dict]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            info = dict(pdf.metadata or {})
            return [_page(p) for p in pdf.pages], info
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as err:
        raise DocumentError(rel, f"không mở được tệp PDF ({type(err).__name__})") from err


def _page(page) -> _Page:
    out = _Page(float(page.width), float(page.height), chars=len(page.chars))
    text = sum(1 for c in page.chars if not str(c.get("text", " ")).isspace())
    if text < _SCAN_MAX_CHARS and _image_share(page) >= _SCAN_MIN_IMAGE_SHARE:
        out.scanned, out.chars = True, 0
        return out
    if not out.chars:
        return out
    tables = []
    for found in page.find_tables():
        rows = [[_clean(c) for c in row] for row in found.extract()]
        rows = [r for r in rows if any(r)]
        if rows and max(len(r) for r in rows) >= 2:
            tables.append(_Table(rows, found.bbox[1], found.bbox[3]))
    words = page.extract_words(extra_attrs=["fontname", "size"], use_text_flow=False)
    words = [w for w in words if not any(t.top - 1 <= _mid(w) <= t.bottom + 1 for t in tables)]
    out.items = sorted([*_lines(words), *tables], key=lambda i: (round(i.top), _x(i)))
    return out


def _image_share(page) -> float:
    area = float(page.width) * float(page.height) or 1.0
    covered = 0.0
    for image in page.images:
        w = min(float(image["x1"]), float(page.width)) - max(float(image["x0"]), 0.0)
        h = min(float(image["bottom"]), float(page.height)) - max(float(image["top"]), 0.0)
        covered += max(w, 0.0) * max(h, 0.0)
    return covered / area


def _read_scans(
    raw: bytes, rel: Path, pages: list[_Page], scanned: list[int], cache: Cache | None
) -> tuple[OcrSummary, list[str]]:
    """OCR the scanned pages (or take them from the cache) and lay their words out as lines."""
    records, recognised, seconds = _recognise(raw, rel, scanned, cache)
    notes, low, confidences = [], [], []
    for i in scanned:
        record = records[i]
        page = pages[i]
        page.items, page.chars = _scan_items(record, page)
        if not record["words"]:
            notes.append(f"trang {i + 1}: bản quét không nhận ra chữ nào")
            continue
        confidences.append((record["confidence"], len(record["words"])))
        if record["confidence"] < ocr.CONFIDENCE_FLOOR:
            low.append((i + 1, record["confidence"]))
    words = sum(n for _, n in confidences) or 1
    mean = sum(c * n for c, n in confidences) / words
    summary = OcrSummary(
        pages=tuple(i + 1 for i in scanned),
        confidence=round(mean, 1),
        low=tuple(low),
        recognised=recognised,
        seconds=round(seconds, 2),
    )
    return summary, notes


def _recognise(
    raw: bytes, rel: Path, indices: list[int], cache: Cache | None
) -> tuple[dict[int, dict], int, float]:
    """Each scanned page's OCR record, from the cache when this file was recognised before."""
    key = content_key(raw, *ocr.settings())
    cached = cache.get("ocr", key, ".json") if cache else None
    records: dict[int, dict] = {}
    if cached:
        try:
            records = {int(k): v for k, v in json.loads(cached).items()}
        except (ValueError, AttributeError):
            records = {}
    todo = [i for i in indices if i not in records]
    started = time.perf_counter()
    if todo:
        import pypdfium2
        import pytesseract

        document = pypdfium2.PdfDocument(raw)
        try:
            for i in todo:
                image = document[i].render(scale=ocr.DPI / 72, grayscale=True).to_pil()
                try:
                    records[i] = ocr.recognise(image)
                except (RuntimeError, pytesseract.TesseractError) as err:
                    raise DocumentError(
                        rel,
                        f"trang {i + 1}: Tesseract không đọc xong bản quét "
                        f"(quá {ocr.PAGE_SECONDS} giây hoặc lỗi: {str(err)[:80]})",
                    ) from err
        finally:
            document.close()
        if cache:
            cache.put("ocr", key, json.dumps(records, ensure_ascii=False).encode(), ".json")
    return records, len(todo), time.perf_counter() - started if todo else 0.0


def _scan_items(record: dict, page: _Page) -> tuple[list[_Line | _Table], int]:
    """A page's OCR words as the same lines and tables a text page gives, in points."""
    scale = page.width / record["width"] if record["width"] else 72 / ocr.DPI
    words = record["words"]
    tables: list[_Table] = []
    used: set[int] = set()
    for grid in record["grids"]:
        rows, placed = ocr.cells_of(grid, words)
        rows = [[_clean(c) for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if rows and max(len(r) for r in rows) >= 2:
            used |= placed
            tables.append(
                _Table(rows, grid["rows"][0] * scale, grid["rows"][-1] * scale, ocr=True)
            )
    boxes: dict[str, list[float]] = {}
    for w in words:
        box = boxes.setdefault(w[6], [w[2], w[4]])
        box[0], box[1] = min(box[0], w[2]), max(box[1], w[4])
    heights = sorted(b - t for t, b in boxes.values()) or [1.0]
    usual = heights[len(heights) // 2]
    free = []
    for i, w in enumerate(words):
        if i in used:
            continue
        top, bottom = boxes[w[6]]
        height = bottom - top
        size = usual if abs(height - usual) <= 0.3 * usual else height  # one size for body text
        free.append({
            "text": w[0], "x0": w[1] * scale, "x1": w[3] * scale, "top": top * scale,
            "bottom": bottom * scale, "size": round(size * scale, 1), "fontname": "", "ocr": True,
        })  # fmt: skip
    items: list[_Line | _Table] = [*_lines(free), *tables]
    items.sort(key=lambda i: (round(i.top), _x(i)))
    return items, sum(len(w[0]) for w in words)


def _mid(word: dict) -> float:
    return (float(word["top"]) + float(word["bottom"])) / 2


def _x(item: _Line | _Table) -> float:
    return item.x0 if isinstance(item, _Line) else 0.0


def _lines(words: list[dict]) -> list[_Line]:
    """Words → lines (same baseline), each cut where a wide gap separates two columns."""
    words = sorted(words, key=lambda w: (float(w["top"]), float(w["x0"])))
    rows: list[list[dict]] = []
    for w in words:
        if rows and abs(float(w["top"]) - float(rows[-1][0]["top"])) <= 2.5:
            rows[-1].append(w)
        else:
            rows.append([w])
    out = []
    for row in rows:
        row.sort(key=lambda w: float(w["x0"]))
        segment = [row[0]]
        for w in row[1:]:
            gap = float(w["x0"]) - float(segment[-1]["x1"])
            if gap > max(18.0, 2.5 * float(w["size"])):
                out.append(_line(segment))
                segment = [w]
            else:
                segment.append(w)
        out.append(_line(segment))
    return out


def _line(words: list[dict]) -> _Line:
    sizes = Counter(round(float(w["size"]), 1) for w in words)
    bold = sum(len(w["text"]) for w in words if "bold" in str(w["fontname"]).lower())
    letters = sum(len(w["text"]) for w in words)
    return _Line(
        text=" ".join(w["text"] for w in words),
        x0=float(words[0]["x0"]),
        x1=float(words[-1]["x1"]),
        top=min(float(w["top"]) for w in words),
        bottom=max(float(w["bottom"]) for w in words),
        size=sizes.most_common(1)[0][0],
        bold=bold >= 0.8 * letters,
        ocr=bool(words[0].get("ocr")),
    )


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _drop_furniture(pages: list[_Page]) -> None:
    """Page numbers and lines repeated in the top or bottom margin of several pages go."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = {_furniture_key(i.text) for i in page.items if _in_margin(i, page)}
        counts.update(seen)
    text_pages = sum(1 for p in pages if p.chars)
    repeated = {k for k, n in counts.items() if n >= 2 and n >= text_pages / 2}
    for page in pages:
        page.items = [
            i
            for i in page.items
            if not (
                _in_margin(i, page)
                and (_PAGE_NUMBER.match(i.text.strip()) or _furniture_key(i.text) in repeated)
            )
        ]


def _in_margin(item: _Line | _Table, page: _Page) -> bool:
    if not isinstance(item, _Line):
        return False
    zone = page.height * _MARGIN_ZONE
    return item.bottom <= zone or item.top >= page.height - zone


def _blocks(pages: list[_Page]) -> list[Block]:
    blocks: list[Block] = []
    para: list[_Line] = []
    last_table: list[list[str]] | None = None  # the table a page may continue
    table_no = 0

    def flush() -> None:
        if para:
            blocks.append(
                Paragraph(
                    " ".join(ln.text for ln in para),
                    emphasis=para[0].bold,
                    ocr=any(ln.ocr for ln in para),
                )
            )
            para.clear()

    body = _body_size(pages)
    for page in pages:
        first_on_page = True
        for item in page.items:
            if isinstance(item, _Table):
                continues = (
                    first_on_page
                    and last_table is not None
                    and not para
                    and _same_shape(last_table, item.rows)
                )
                flush()
                rows = item.rows
                if continues and last_table is not None:
                    rows = _continue(last_table, rows, blocks, table_no)
                else:
                    table_no += 1
                    last_table = item.rows
                blocks.extend(TableRow(tuple(r), table_no, ocr=item.ocr) for r in rows)
                first_on_page = False
                continue
            if para and not _same_paragraph(para[-1], item, body, first_on_page):
                flush()
            if para or item.text.strip():
                last_table = None
                para.append(item)
            first_on_page = False
    flush()
    return blocks


def _body_size(pages: list[_Page]) -> float:
    sizes: Counter[float] = Counter()
    for p in pages:
        for i in p.items:
            if isinstance(i, _Line):
                sizes[i.size] += len(i.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _same_paragraph(prev: _Line, line: _Line, body: float, new_page: bool) -> bool:
    """Does `line` continue the paragraph whose last line is `prev` (a wrapped line)?"""
    if _STARTS_ITEM.match(line.text) or prev.bold != line.bold or abs(prev.size - line.size) > 0.6:
        return False
    if _is_caps(prev.text) and not _is_caps(line.text):
        return False  # an issuer or a heading in capitals, then the text under it
    if new_page:  # a paragraph running over the page break ends without punctuation
        return not _ENDS_SENTENCE.search(prev.text) and line.text[:1].islower()
    gap = line.top - prev.bottom
    if gap > 0.9 * max(prev.size, body):
        return False
    indented = line.x0 > prev.x0 + 8
    return not (_ENDS_SENTENCE.search(prev.text) and line.text[:1].isupper() and indented)


def _is_caps(text: str) -> bool:
    return text.upper() == text and any(c.isalpha() for c in text)


def _same_shape(table: list[list[str]], rows: list[list[str]]) -> bool:
    return max(len(r) for r in table) == max(len(r) for r in rows)


def _continue(
    table: list[list[str]], rows: list[list[str]], blocks: list[Block], number: int
) -> list[list[str]]:
    """Rows of a table's continuation: its repeated header dropped, a cut row joined back."""
    if rows and [c.lower() for c in rows[0]] == [c.lower() for c in table[0]]:
        rows = rows[1:]
    if rows and not rows[0][0] and blocks and isinstance(blocks[-1], TableRow):
        prev = blocks.pop()
        assert isinstance(prev, TableRow)
        cells = list(prev.cells)
        for i, extra in enumerate(rows[0]):
            if i < len(cells) and extra:
                cells[i] = f"{cells[i]} {extra}".strip()
        blocks.append(TableRow(tuple(cells), number, ocr=prev.ocr))
        rows = rows[1:]
    return rows


def _clean(cell: object) -> str:
    return _SPACES.sub(" ", str(cell or "")).strip()
