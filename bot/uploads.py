"""Admin uploads: a safe file name, the file checked by its reader, then saved.

The file's own name is never trusted: path parts, reserved device names, control and
odd Unicode characters are removed, so a name can neither escape the knowledge base
nor collide with a data file. Text (.txt, .md) is saved as a Markdown document with the
uploader in its front matter; Word, Excel, PDF (scans too) and web pages are kept as they
are, so their tables and structure are read at reload exactly as for files an admin copies in.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from index.cache import Cache
from index.errors import DocumentError, UploadRejected
from index.normalize import fold, normalize_text
from index.read_pool import read_bytes_in_worker
from index.readers import SLOW_SUFFIXES, SUFFIXES, decode_text, read_file, supported
from index.readers.text import first_date
from index.structure import structure

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_SUFFIXES = SUFFIXES
TEXT_SUFFIXES = (".txt", ".md")
UPLOAD_DIR = "uploads"
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class SavedUpload:
    path: Path
    replaced: bool
    title: str


def check_upload(filename: str, size: int | None) -> str:
    """The safe name to save under, or UploadRejected with a reason an admin understands."""
    suffix = Path(_basename(filename)).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadRejected(
            f"Tệp “{_shown(filename)}” không được nhận: chỉ nhận {supported()}."
        )
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            f"Tệp “{_shown(filename)}” nặng {size / 1048576:.1f} MB, vượt giới hạn "
            f"{MAX_UPLOAD_BYTES // 1048576} MB. Hãy tách nhỏ hoặc nén bớt hình ảnh."
        )
    return safe_name(filename)


def safe_name(filename: str) -> str:
    """ASCII slug of the base name, never empty, never reserved; text becomes .md."""
    base = _basename(filename)
    stem = Path(base).stem
    suffix = Path(base).suffix.lower()
    stem = fold(unicodedata.normalize("NFKC", stem))
    stem = _UNSAFE.sub("-", stem).strip("-._").lower()
    stem = re.sub(r"-{2,}", "-", stem)[:80].strip("-._")
    if not stem or _RESERVED.match(stem):
        stem = f"tai-lieu-{stem}" if stem else "tai-lieu"
    keep = suffix if suffix in ALLOWED_SUFFIXES and suffix not in TEXT_SUFFIXES else ".md"
    return stem + (".html" if keep == ".htm" else keep)


def save_upload(
    kb_dir: Path,
    backup_dir: Path,
    filename: str,
    data: bytes,
    uploader: str,
    today: date | None = None,
    cache: Cache | None = None,
) -> SavedUpload:
    """Check and write kb_dir/uploads/<safe name>; an older file of that name is backed up.

    `cache` is the store's cache of OCR and conversion results (index/cache.py).
    """
    name = check_upload(filename, len(data))
    suffix = Path(_basename(filename)).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        payload, title = _markdown(filename, name, suffix, data, uploader, today)
    else:
        payload, title = data, _title(filename, name, suffix, data, cache)
    target_dir = kb_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    replaced = target.exists()
    if replaced:
        backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        shutil.copy2(target, backup_dir / f"{target.stem}.{stamp}{target.suffix}")
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(payload)
    tmp.replace(target)  # renaming over a planted symlink replaces the link, not its target
    return SavedUpload(target, replaced, title)


def _markdown(
    filename: str, name: str, suffix: str, data: bytes, uploader: str, today: date | None
) -> tuple[bytes, str]:
    """A text upload as a Markdown document whose front matter names who uploaded it."""
    try:
        text = decode_text(data, Path(name))
    except DocumentError as err:
        raise UploadRejected(f"Tệp “{_shown(filename)}” không đọc được: {err.reason}.") from err
    if suffix == ".md" and text.lstrip().startswith("---"):
        import frontmatter

        try:
            text = frontmatter.loads(text).content
        except Exception as err:  # front matter of an upload is replaced anyway
            raise UploadRejected(
                f"Tệp “{_shown(filename)}” có phần khai báo đầu tệp sai cú pháp."
            ) from err
    body = normalize_text(text).strip()
    if not body:
        raise UploadRejected(f"Tệp “{_shown(filename)}” không có nội dung chữ.")
    title = next((ln.strip() for ln in body.splitlines() if ln.strip()), name)[:200]
    meta = {
        "title": title,
        "date": first_date(body),
        "source": f"Tải lên bởi quản trị viên ({uploader})",
        "uploaded": (today or date.today()).isoformat(),
        "original_name": _shown(filename),
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}\n".encode(), title


def _title(filename: str, name: str, suffix: str, data: bytes, cache: Cache | None) -> str:
    """Read a Word, PDF or web upload as the reload will, refusing one it could not read.

    A scan or a .doc is read in a worker process, as the reload reads it (never in the bot's
    process), and what OCR or LibreOffice made of it is cached for the reload that follows.
    """
    try:
        if suffix in SLOW_SUFFIXES:
            read = read_bytes_in_worker(data, suffix, Path(name), cache)
        else:
            read = read_file(data, suffix, Path(name))
    except DocumentError as err:
        raise UploadRejected(f"Tệp “{_shown(filename)}” không đọc được: {err.reason}.") from err
    doc = structure(read.blocks)
    if not doc.units:
        raise UploadRejected(f"Tệp “{_shown(filename)}” không có nội dung chữ.")
    first = next((u.text for u in doc.units if u.text.strip()), name)
    return normalize_text(doc.header.title or read.meta.title or first).strip()[:200]


def _basename(filename: str) -> str:
    return re.split(r"[\\/]", filename or "")[-1]


def _shown(filename: str) -> str:
    """The name as we may print it: no control characters, bounded length."""
    clean = "".join(c for c in _basename(filename) if unicodedata.category(c)[0] != "C")
    return clean[:80] or "(không tên)"
