"""Reading the knowledge base: documents in, `Document`s out, bad files named and skipped.

A knowledge base is a folder. Documents are `.md` (YAML front matter: title, date,
source, url), `.txt` (title = first line, date = first date found), `.docx`, `.xlsx`,
`.pdf` (text layer, scanned pages by OCR), `.doc`/`.xls` (through LibreOffice) and saved
web pages (`.html`); each format's reader gives blocks, the structure pass reads the header
(number, issuer, date) and section paths from them. Formats that may run an external program
are read in worker processes (`index/read_pool.py`), never in the caller's.
The curated data files (abbreviations, stop words) live beside them and are not documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.blocks import Heading, Paragraph, TableRow
from index.cache import Cache
from index.errors import DocumentError, KnowledgeError
from index.models import Document
from index.normalize import normalize_text
from index.passages import body_of
from index.readers import SLOW_SUFFIXES, read_file, supported
from index.readers import SUFFIXES as DOCUMENT_SUFFIXES
from index.readers.text import first_date
from index.structure import structure

DATA_FILES = {"abbreviations.tsv", "stopwords.txt", "synonyms.tsv", "README.md"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024



@dataclass
class ScanResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[DocumentError] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # doc ids whose file stat is as stored


FileStat = tuple[int, int]  # (size, mtime_ns)


def scan(
    kb_dir: Path,
    known: dict[str, FileStat] | None = None,
    *,
    cache: Cache | None = None,
    workers: int | None = None,
    on_document: Callable[[Document], Document] | None = None,
) -> ScanResult:
    """Read every document under kb_dir; one bad file never stops the others.

    A missing folder is an error, not an empty knowledge base: treating it as empty would
    make a reload remove every document because of a typo in a path. Files whose size and
    modification time match `known` (relative path → stat) are listed as unchanged without
    being read: at tens of thousands of documents, reading them all is most of a reload.
    PDFs, .doc and .xls are read in `workers` worker processes (OCR, LibreOffice), with
    `cache` keeping those programs' results by content. `on_document` sees each document
    as soon as it is read, so a reload can start analysing while the rest is being read, and
    returns what the result keeps of it.
    """
    known = known or {}
    if not kb_dir.is_dir():
        raise KnowledgeError(
            f"không thấy thư mục tài liệu {kb_dir}; kiểm tra --kb hoặc biến môi trường DE06_KB"
        )
    result = ScanResult()
    seen: dict[str, Path] = {}
    slow: list[tuple[Path, Path]] = []
    for path in sorted(kb_dir.rglob("*")):
        if not path.is_file() or path.name in DATA_FILES or path.name.startswith("."):
            continue
        rel = path.relative_to(kb_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() not in DOCUMENT_SUFFIXES:
            result.skipped.append(
                DocumentError(rel, f"định dạng không hỗ trợ (chỉ nhận {supported()})")
            )
            continue
        stat = path.stat()
        if known.get(rel.as_posix()) == (stat.st_size, stat.st_mtime_ns):
            doc_id = doc_id_for(rel)
            if doc_id not in seen:
                seen[doc_id] = rel
                result.unchanged.append(doc_id)
                continue
        if path.suffix.lower() in SLOW_SUFFIXES:
            doc_id = doc_id_for(rel)
            if doc_id in seen:
                result.skipped.append(_duplicate(rel, seen[doc_id]))
            else:
                seen[doc_id] = rel
                slow.append((path, rel))
            continue
        try:
            doc = read_document(path, rel)
        except DocumentError as err:
            result.skipped.append(err)
            continue
        if doc.doc_id in seen:
            result.skipped.append(_duplicate(rel, seen[doc.doc_id]))
            continue
        seen[doc.doc_id] = rel
        result.documents.append(doc if on_document is None else on_document(doc))
    if slow:
        from index.read_pool import read_in_workers

        for read in read_in_workers(slow, cache, workers):
            if isinstance(read, DocumentError):
                result.skipped.append(read)
            else:
                result.documents.append(read if on_document is None else on_document(read))
        result.documents.sort(key=lambda d: d.path)
    return result


def _duplicate(rel: Path, other: Path) -> DocumentError:
    return DocumentError(rel, f"trùng tên với {other.as_posix()}, đổi tên tệp")


def doc_id_for(rel: Path) -> str:
    """Stable id: the path without suffix, so editing a file keeps its id."""
    return rel.with_suffix("").as_posix()


def read_document(path: Path, rel: Path | None = None, cache: Cache | None = None) -> Document:
    rel = rel or Path(path.name)
    stat = path.stat()
    size = stat.st_size
    if size == 0:
        raise DocumentError(rel, "tệp rỗng")
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            rel, f"tệp quá lớn ({size // (1024 * 1024)} MB, tối đa {MAX_DOCUMENT_BYTES >> 20} MB)"
        )
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    read = read_file(raw, suffix, rel, cache)
    blocks = [_normalized(b) for b in read.blocks]
    doc = structure(blocks)
    body = body_of(doc.units)
    if not body.strip():
        raise DocumentError(rel, "không có nội dung chữ")
    meta, header = read.meta, doc.header
    title = meta.title if suffix == ".md" else header.title or meta.title
    date_ = meta.date if suffix == ".md" else meta.date or header.date
    if not date_:  # a dateline: anywhere near the top of a text, a short line near the top else
        top = [ln for ln in body.split("\n")[:4] if len(ln.split()) <= 8]
        date_ = first_date(body if suffix in (".md", ".txt") else "\n".join(top))
    return Document(
        doc_id=doc_id_for(rel),
        path=rel.as_posix(),
        title=normalize_text(title or _first_line(body) or rel.stem)[:300],
        date=date_ or header.date,
        source=normalize_text(meta.source or header.issuer).strip(),
        url=meta.url,
        body=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        size=size,
        mtime_ns=stat.st_mtime_ns,
        units=doc.units,
        ocr=read.ocr,
        notes=read.notes,
    )


def _normalized(block):
    """Display normalisation (NFC, odd spaces) of a block's text, before structure reads it."""
    if isinstance(block, TableRow):
        cells = tuple(normalize_text(c).strip() for c in block.cells)
        return TableRow(cells, block.table, block.ocr)
    if isinstance(block, Heading):
        return Heading(normalize_text(block.text).strip(), block.level, block.ocr)
    assert isinstance(block, Paragraph)
    return Paragraph(normalize_text(block.text).strip(), block.emphasis, block.ocr)


def _first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""
