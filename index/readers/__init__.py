"""One reader per file format, each turning bytes into the same `ReadResult` of blocks.

Add a format by writing its reader and a row in `READERS`; nothing else needs to know.
Formats in `SLOW_READERS` may run external programs (Tesseract on scanned PDF pages,
LibreOffice for .doc/.xls): the reload reads them in worker processes, and they are given
the cache where those programs' results are kept by content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.blocks import ReadResult
from index.cache import Cache
from index.errors import DocumentError
from index.readers.docx import read_docx
from index.readers.html import read_html
from index.readers.office import read_doc, read_xls
from index.readers.pdf import read_pdf
from index.readers.text import decode_text, read_markdown, read_text
from index.readers.xlsx import read_xlsx

Reader = Callable[[bytes, Path], ReadResult]
SlowReader = Callable[[bytes, Path, Cache | None], ReadResult]

READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".txt": read_text,
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".html": read_html,
    ".htm": read_html,
}
SLOW_READERS: dict[str, SlowReader] = {
    ".pdf": read_pdf,
    ".doc": read_doc,
    ".xls": read_xls,
}
SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm", ".doc", ".xlsx", ".xls")
assert set(SUFFIXES) == {*READERS, *SLOW_READERS}
SLOW_SUFFIXES = tuple(SLOW_READERS)


def read_file(raw: bytes, suffix: str, rel: Path, cache: Cache | None = None) -> ReadResult:
    suffix = suffix.lower()
    if suffix in SLOW_READERS:
        return SLOW_READERS[suffix](raw, rel, cache)
    reader = READERS.get(suffix)
    if reader is None:
        raise DocumentError(rel, f"định dạng không hỗ trợ (chỉ nhận {supported()})")
    return reader(raw, rel)


def supported() -> str:
    """The formats as a person lists them: ".md, .txt, .docx, .pdf, .html, .doc, .xlsx, .xls"."""
    return ", ".join(s for s in SUFFIXES if s != ".htm")


__all__ = [
    "READERS",
    "SLOW_READERS",
    "SLOW_SUFFIXES",
    "SUFFIXES",
    "read_file",
    "decode_text",
    "supported",
]
