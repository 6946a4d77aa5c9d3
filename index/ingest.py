"""Reading the knowledge base: documents in, `Document`s out, bad files named and skipped.

A knowledge base is a folder. Documents are `.md` (YAML front matter: title, date,
source, url), `.txt` (title = first line, date = first date found), `.pdf` and `.docx`.
The curated data files (abbreviations, stop words) live beside them and are not documents.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import frontmatter
import yaml

from index.errors import DocumentError, KnowledgeError
from index.extract import extract_text
from index.models import Document
from index.normalize import normalize_text

DOCUMENT_SUFFIXES = (".md", ".txt", ".pdf", ".docx")
DATA_FILES = {"abbreviations.tsv", "stopwords.txt", "synonyms.tsv", "README.md"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

_DATE_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass
class ScanResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[DocumentError] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # doc ids whose file stat is as stored


FileStat = tuple[int, int]  # (size, mtime_ns)


def scan(kb_dir: Path, known: dict[str, FileStat] | None = None) -> ScanResult:
    """Read every document under kb_dir; one bad file never stops the others.

    A missing folder is an error, not an empty knowledge base: treating it as empty would
    make a reload remove every document because of a typo in a path. Files whose size and
    modification time match `known` (relative path → stat) are listed as unchanged without
    being read: at tens of thousands of documents, reading them all is most of a reload.
    """
    known = known or {}
    if not kb_dir.is_dir():
        raise KnowledgeError(
            f"không thấy thư mục tài liệu {kb_dir}; kiểm tra --kb hoặc biến môi trường DE06_KB"
        )
    result = ScanResult()
    seen: dict[str, Path] = {}
    for path in sorted(kb_dir.rglob("*")):
        if not path.is_file() or path.name in DATA_FILES or path.name.startswith("."):
            continue
        rel = path.relative_to(kb_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() not in DOCUMENT_SUFFIXES:
            result.skipped.append(
                DocumentError(rel, "định dạng không hỗ trợ (chỉ nhận .md, .txt, .pdf, .docx)")
            )
            continue
        stat = path.stat()
        if known.get(rel.as_posix()) == (stat.st_size, stat.st_mtime_ns):
            doc_id = doc_id_for(rel)
            if doc_id not in seen:
                seen[doc_id] = rel
                result.unchanged.append(doc_id)
                continue
        try:
            doc = read_document(path, rel)
        except DocumentError as err:
            result.skipped.append(err)
            continue
        if doc.doc_id in seen:
            result.skipped.append(
                DocumentError(rel, f"trùng tên với {seen[doc.doc_id].as_posix()}, đổi tên tệp")
            )
            continue
        seen[doc.doc_id] = rel
        result.documents.append(doc)
    return result


def doc_id_for(rel: Path) -> str:
    """Stable id: the path without suffix, so editing a file keeps its id."""
    return rel.with_suffix("").as_posix()


def read_document(path: Path, rel: Path | None = None) -> Document:
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
    text = extract_text(raw, path.suffix.lower(), rel)
    meta: dict[str, object] = {}
    if path.suffix.lower() == ".md":
        meta, text = _front_matter(text, rel)
    body = normalize_text(text).strip("\n")
    if not body.strip():
        raise DocumentError(rel, "không có nội dung chữ")
    title = str(meta.get("title") or "").strip() or _first_line(body) or rel.stem
    return Document(
        doc_id=doc_id_for(rel),
        path=rel.as_posix(),
        title=normalize_text(title)[:300],
        date=_meta_date(meta.get("date"), rel) or first_date(body),
        source=normalize_text(str(meta.get("source") or "")).strip(),
        url=str(meta.get("url") or "").strip(),
        body=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        size=size,
        mtime_ns=stat.st_mtime_ns,
    )


def _front_matter(text: str, rel: Path) -> tuple[dict[str, object], str]:
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as err:
        reason = str(err).splitlines()[0][:160]
        raise DocumentError(
            rel, f"phần khai báo đầu tệp (front matter) sai cú pháp: {reason}"
        ) from err
    return dict(post.metadata), post.content


def _meta_date(value: object, rel: Path) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    found = _DATE_ISO.fullmatch(text)
    if found and _valid(int(found[1]), int(found[2]), int(found[3])):
        return text
    dmy = _DATE_DMY.fullmatch(text)
    if dmy and _valid(int(dmy[3]), int(dmy[2]), int(dmy[1])):
        return date(int(dmy[3]), int(dmy[2]), int(dmy[1])).isoformat()
    raise DocumentError(rel, f"ngày '{text}' không đúng dạng YYYY-MM-DD")


def first_date(text: str) -> str:
    """The first full date in the text: for .txt files, usually the dateline."""
    for found in _DATE_DMY.finditer(text[:5000]):
        d, m, y = int(found[1]), int(found[2]), int(found[3])
        if _valid(y, m, d):
            return date(y, m, d).isoformat()
    return ""


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1900 < y < 2200


def _first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""
