"""One reader per file format, each turning bytes into the same `ReadResult` of blocks.

Add a format by writing its reader and a row in `READERS`; nothing else needs to know.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.blocks import ReadResult
from index.errors import DocumentError
from index.readers.docx import read_docx
from index.readers.html import read_html
from index.readers.pdf import read_pdf
from index.readers.text import decode_text, read_markdown, read_text

Reader = Callable[[bytes, Path], ReadResult]

READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".txt": read_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
SUFFIXES = tuple(READERS)


def read_file(raw: bytes, suffix: str, rel: Path) -> ReadResult:
    reader = READERS.get(suffix.lower())
    if reader is None:
        raise DocumentError(rel, f"định dạng không hỗ trợ (chỉ nhận {supported()})")
    return reader(raw, rel)


def supported() -> str:
    """The formats as a person lists them: ".md, .txt, .docx, .pdf, .html"."""
    return ", ".join(s for s in SUFFIXES if s != ".htm")


__all__ = ["READERS", "SUFFIXES", "read_file", "decode_text", "supported"]
