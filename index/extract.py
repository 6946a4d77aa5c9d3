"""Turning file bytes into text: encodings guessed, PDFs and Word files opened safely."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

from index.errors import DocumentError

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a .docx inflating past this is a zip bomb
_VIETNAMESE_ENCODINGS = ["utf_8", "utf_16", "cp1258", "cp1252"]


def extract_text(raw: bytes, suffix: str, rel: Path) -> str:
    if suffix == ".pdf":
        return _pdf_text(raw, rel)
    if suffix == ".docx":
        return _docx_text(raw, rel)
    return decode_text(raw, rel)


def decode_text(raw: bytes, rel: Path) -> str:
    """UTF-8 first (almost everything), then BOM-marked UTF-16, then a guess.

    A binary file is refused rather than loaded as mojibake that would pollute answers.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise DocumentError(rel, "tệp UTF-16 bị hỏng, không đọc được") from err
    if b"\x00" in raw[:4096]:
        text = _utf16_without_bom(raw)
        if text is None:
            raise DocumentError(rel, "tệp nhị phân, không phải văn bản")
        return text
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=_VIETNAMESE_ENCODINGS).best()
    if best is None:
        raise DocumentError(rel, "không nhận ra bảng mã; hãy lưu lại tệp dạng UTF-8")
    return str(best)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: NUL every other byte, readable once decoded."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        readable = sum(ch.isprintable() or ch in "\n\r\t" for ch in sample)
        if sample and readable / len(sample) > 0.97:
            return text
    return None


def _pdf_text(raw: bytes, rel: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise DocumentError(rel, f"không mở được tệp PDF ({type(err).__name__})") from err
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DocumentError(rel, "PDF không có lớp chữ (bản quét?); cần bản PDF có chữ hoặc .docx")
    return text


def _docx_text(raw: bytes, rel: Path) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_UNZIPPED_BYTES:
                raise DocumentError(rel, "tệp .docx giải nén ra quá lớn (nghi là zip bomb), bỏ qua")
            if "word/document.xml" not in archive.namelist():
                raise DocumentError(rel, "tệp .docx thiếu nội dung Word (word/document.xml)")
    except zipfile.BadZipFile as err:
        raise DocumentError(rel, "tệp .docx hỏng hoặc không phải tệp Word thật") from err
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as err:  # python-docx raises many types on malformed XML
        raise DocumentError(rel, f"không đọc được tệp .docx ({type(err).__name__})") from err
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in paragraphs if p.strip())
