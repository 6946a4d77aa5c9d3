"""Plain text and Markdown: encodings guessed, lines kept, Markdown headings and pipe tables read.

A `.txt` or `.md` line is a paragraph exactly as typed (the seeds are written that way), so
existing text documents read as they always did; Markdown adds `#` headings, `**bold**`
lines and pipe tables, which is also how an admin can type a task table by hand.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import frontmatter
import yaml
from charset_normalizer import from_bytes

from index.blocks import Block, DocMeta, Heading, Paragraph, ReadResult, TableRow
from index.errors import DocumentError

_VIETNAMESE_ENCODINGS = ["utf_8", "utf_16", "cp1258", "cp1252"]
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:.]?\s*$")
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def read_text(raw: bytes, rel: Path) -> ReadResult:
    text = decode_text(raw, rel)
    return ReadResult(tuple(Paragraph(line) for line in _lines(text)), DocMeta())


def read_markdown(raw: bytes, rel: Path) -> ReadResult:
    text = decode_text(raw, rel)
    meta, text = _front_matter(text, rel)
    blocks: list[Block] = []
    lines = _lines(text, keep_blank=True)
    table = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_pipe_row(line) and i + 1 < len(lines) and _PIPE_SEPARATOR.match(lines[i + 1]):
            table += 1
            blocks.append(TableRow(_pipe_cells(line), table))
            i += 2
            while i < len(lines) and _is_pipe_row(lines[i]):
                blocks.append(TableRow(_pipe_cells(lines[i]), table))
                i += 1
            continue
        if line.strip():
            heading = _MD_HEADING.match(line)
            bold = _MD_BOLD_LINE.match(line)
            if heading:
                blocks.append(Heading(heading[2], len(heading[1])))
            elif bold:
                blocks.append(Paragraph(bold[1].strip(), emphasis=True))
            else:
                blocks.append(Paragraph(line))
        i += 1
    return ReadResult(tuple(blocks), meta)


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


def _lines(text: str, *, keep_blank: bool = False) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines if keep_blank else [ln for ln in lines if ln.strip()]


def _front_matter(text: str, rel: Path) -> tuple[DocMeta, str]:
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as err:
        reason = str(err).splitlines()[0][:160]
        raise DocumentError(
            rel, f"phần khai báo đầu tệp (front matter) sai cú pháp: {reason}"
        ) from err
    m = post.metadata
    meta = DocMeta(
        title=str(m.get("title") or "").strip(),
        date=_meta_date(m.get("date"), rel),
        source=str(m.get("source") or "").strip(),
        url=str(m.get("url") or "").strip(),
    )
    return meta, post.content


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
    for found in _DATELINE.finditer(text[:5000]):
        d, m, y = int(found[1]), int(found[2]), int(found[3])
        if _valid(y, m, d):
            return date(y, m, d).isoformat()
    return ""


_DATELINE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1900 < y < 2200


def _is_pipe_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _pipe_cells(line: str) -> tuple[str, ...]:
    """Cells of `| a | b |`; `\\|` is a literal bar, `<br>` a line break inside a cell."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    cells = re.split(r"(?<!\\)\|", inner)
    return tuple(
        re.sub(r"<br\s*/?>", " ", c.replace("\\|", "|"), flags=re.I).strip() for c in cells
    )
