"""One pass over a document's blocks: its header as metadata, and a section path for every block.

Plans and decisions open with a header (issuer, national motto, "Số: 37/KH-UBND", place and
date, the kind and subject) that is metadata, never an answer; then numbered sections
("I.", "1.", "a)", "Điều 2", "Chương II", "PHỤ LỤC"), often typed as bold paragraphs rather
than heading styles; and task tables whose group rows ("I. NHÓM NHIỆM VỤ …", merged across
the table) name groups of tasks. Every unit this pass returns carries the path of sections
it sits in, which citations show and which names the lead of the bullets under an agency
heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.blocks import Block, Heading, Paragraph, TableRow
from index.numbering import BULLET, Numbering, parse_numbering, short_reference
from index.tables import Header as TableHeader
from index.tables import header_of, is_group_row, plain_header, row_cells, row_text

MAX_LABEL = 90
_GROUP_RANK = 50  # a table's group rows sit below every heading above the table
_ROW_RANK = 100


@dataclass(frozen=True)
class Section:
    label: str  # as a path shows it: "II. NHIỆM VỤ CỤ THỂ", "Điều 2", "3"
    kind: str  # numbering kind ("roman", "article", …), "heading" unnumbered, "row" a table row
    number: str  # for the short reference: "II", "Điều 2", "3"
    title: str  # the heading's words without the number ("Phòng Tư pháp thành phố")
    rank: int


@dataclass(frozen=True)
class Unit:
    """A block placed in the document: what it says, where it sits, and a row's cells."""

    kind: str  # "heading" | "paragraph" | "row"
    text: str
    path: tuple[Section, ...]
    cells: tuple[tuple[str, str, str], ...] = ()  # a task-table row: (role, column name, text)
    ocr: bool = False  # read from a scanned page


@dataclass(frozen=True)
class DocHeader:
    """The document's header, read as metadata."""

    kind: str = ""  # "Kế hoạch", "Quyết định", …
    number: str = ""  # "37/KH-UBND"
    issuer: str = ""  # "UBND tỉnh An Lạc – Sở Nội vụ"
    date: str = ""  # YYYY-MM-DD, the document's own date
    subject: str = ""  # "Triển khai Đề án 06 năm 2025 …"

    @property
    def title(self) -> str:
        if not self.kind:
            return ""
        head = f"{self.kind} {self.number}" if self.number else self.kind
        return f"{head} — {self.subject}" if self.subject else head


@dataclass(frozen=True)
class Structured:
    header: DocHeader
    units: tuple[Unit, ...] = field(default=())


def path_label(path: tuple[Section, ...]) -> str:
    """"PHỤ LỤC › II. NHÓM TIỆN ÍCH … › 3" — "" when the document has no structure."""
    return " › ".join(s.label for s in path)


def path_reference(path: tuple[Section, ...]) -> str:
    """"Phụ lục, mục II.3" for citations; unnumbered headings are left to the full path."""
    return short_reference([(s.kind, s.number) for s in path if s.number])


def section_context(path: tuple[Section, ...]) -> str:
    """The words of the headings above a passage, indexed with it (not shown)."""
    return "\n".join(s.title or s.label for s in path if s.kind != "row")


# --- the header ---------------------------------------------------------------------------------

_KIND_WORDS = (
    "KẾ HOẠCH",
    "QUYẾT ĐỊNH",
    "CHỈ THỊ",
    "THÔNG BÁO",
    "BÁO CÁO",
    "CÔNG VĂN",
    "TỜ TRÌNH",
    "NGHỊ QUYẾT",
    "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH",
    "ĐỀ ÁN",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "THÔNG TƯ",
    "NGHỊ ĐỊNH",
    "KẾT LUẬN",
)
_KIND_LINE = re.compile(rf"^(?P<kind>{'|'.join(_KIND_WORDS)})(?!\w)\s*[:.]?\s*(?P<rest>.*)$")
_MOTTO = re.compile(r"CỘNG\s+HÒA\s+XÃ\s+HỘI|CỘNG\s+HOÀ\s+XÃ\s+HỘI|Độc\s+lập\s*[-–]\s*Tự\s+do", re.I)
_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(?P<n>[\w./-]*\d[\w./-]*/[\w./Đđ-]+)", re.I)
_PLACE_DATE = re.compile(
    r"(?:^|,\s*|\s)ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
    r"|(?:^|,\s*|\s)ngày\s+(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4})",
    re.I,
)
_ISSUER_WORDS = re.compile(
    r"^(?:UBND|ỦY BAN|UỶ BAN|HĐND|HỘI ĐỒNG|BỘ|SỞ|BAN|CÔNG AN|TỔ|VĂN PHÒNG|CỤC|PHÒNG|TRUNG TÂM|"
    r"THỦ TƯỚNG|CHÍNH PHỦ|TỈNH ỦY|TỈNH UỶ|HUYỆN ỦY|THÀNH ỦY|ĐẢNG ỦY|BCĐ|CHI CỤC|TỔNG CỤC)\b"
)
_HEADER_ZONE = 14  # blocks; a header is always at the very top


def _header(blocks: list[Block]) -> tuple[DocHeader, int]:
    """The header read from the first blocks, and how many blocks it used (0: none)."""
    lines: list[tuple[int, str]] = []
    for i, block in enumerate(blocks[:_HEADER_ZONE]):
        if isinstance(block, TableRow):
            lines += [(i, c) for c in dict.fromkeys(block.cells) if c]
        else:
            lines.append((i, block.text))
    issuer: list[str] = []
    number = date = kind = subject = ""
    used = 0
    signs = 0
    for idx, (i, line) in enumerate(lines):
        text = line.strip()
        kind_m = _KIND_LINE.match(text)
        if kind_m and text.split(" ")[0].isupper():
            kind = kind_m["kind"].capitalize()
            subject = kind_m["rest"].strip()
            used = i + 1
            if not subject:  # the subject on the next line(s): "Về việc …", "Triển khai …"
                for j, nxt in lines[idx + 1 : idx + 3]:
                    if parse_numbering(nxt) or nxt.startswith(("Căn cứ", "Thực hiện")):
                        break
                    subject = (subject + " " + nxt.strip()).strip()
                    used = j + 1
                    if len(subject) > 40:
                        break
            break
        if _MOTTO.search(text):
            signs += 1
            issuer_part = _MOTTO.split(text)[0].strip(" -–—")
            if issuer_part and _ISSUER_WORDS.match(issuer_part):
                issuer.append(issuer_part)
            continue
        found = _NUMBER_LINE.match(text)
        if found:
            signs += 1
            number = found["n"].rstrip(".")
            date_m = _PLACE_DATE.search(text)
            if date_m:
                date = _iso(date_m)
            continue
        date_m = _PLACE_DATE.search(text)
        if date_m and len(text) < 90:
            signs += 1
            date = date or _iso(date_m)
            continue
        if _ISSUER_WORDS.match(text) and text.upper() == text and len(text) < 120:
            issuer += [p.strip() for p in re.split(r"\s+[—–-]\s+", text) if p.strip()]
            continue
        if text.upper() != text or len(text) > 160:
            break
    if not kind and not signs:
        return DocHeader(), 0
    if not used:
        used = max((i for i, t in lines if _is_header_line(t)), default=-1) + 1
    return (
        DocHeader(kind, number, _issuer_name(issuer), date, re.sub(r"\s+", " ", subject)[:200]),
        used,
    )


def _is_header_line(text: str) -> bool:
    return bool(
        _MOTTO.search(text) or _NUMBER_LINE.match(text) or _PLACE_DATE.search(text)
        or (_ISSUER_WORDS.match(text) and text.upper() == text)
    )


def _iso(m: re.Match[str]) -> str:
    d, mo, y = (int(m["d"] or m["d2"]), int(m["m"] or m["m2"]), int(m["y"] or m["y2"]))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 < y < 2200):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


_LOCALITY = ("tỉnh", "huyện", "xã", "thành phố", "quận", "phường", "thị xã", "thị trấn")
_ACRONYMS = frozenset(
    "UBND HĐND BCĐ BCH TP TP. CA BHXH MTTQ ĐBQH CNTT TT&TT KH&CN GD&ĐT TN&MT NN&PTNT "
    "LĐTB&XH VH-TT&DL BTP BCA BTC BNV BKHCN".split()
)


def _issuer_name(lines: list[str]) -> str:
    """"UBND TỈNH HÒA PHONG", "SỞ NỘI VỤ" → "UBND tỉnh Hòa Phong – Sở Nội vụ"."""
    return " – ".join(dict.fromkeys(agency_case(line) for line in lines if line))


_TYPES = sorted(
    (
        "ủy ban nhân dân|uỷ ban nhân dân|hội đồng nhân dân|văn phòng|trung tâm|công an|chi cục|"
        "tổng cục|tổ công tác|học viện|sở|bộ|ban|cục|vụ|phòng|tổ|viện|đài|báo"
    ).split("|"),
    key=lambda t: -len(t.split()),
)


def agency_case(text: str) -> str:
    """An agency name typed in capitals, as a sentence writes it ("Ban Chỉ đạo … huyện Tân Lập").

    Vietnamese capitalises the agency's type ("Sở", "Ủy ban nhân dân") and the first word of
    its own name ("Sở Nội vụ"); acronyms stay; after a locality word ("tỉnh", "huyện") every
    word is part of a place name.
    """
    if text.upper() != text:
        return text
    originals = text.split()
    words = text.lower().split()
    out: list[str] = []
    i = 0
    name_starts = True  # the next word opens a name (or a type)
    place = False
    while i < len(words):
        w = words[i]
        if not place and (originals[i] in _ACRONYMS or "&" in originals[i]):
            out.append(originals[i])
            name_starts = False
            i += 1
            continue
        two = " ".join(words[i : i + 2])
        if two in _LOCALITY or w in _LOCALITY:
            n = 2 if two in _LOCALITY else 1
            out += words[i : i + n]
            i += n
            place = True
            continue
        kind = next(
            (t for t in _TYPES if words[i : i + len(t.split())] == t.split()), None
        ) if not out else None
        if kind:
            n = len(kind.split())
            out.append(words[i].capitalize())
            out += words[i + 1 : i + n]
            i += n
            name_starts = True
            continue
        if place or name_starts or (w == "đề" and words[i + 1 : i + 2] == ["án"]):
            out.append(w[:1].upper() + w[1:])  # "Đề án 06" is a name wherever it stands
        else:
            out.append(w)
        name_starts = False
        i += 1
    return " ".join(out)


# --- sections -----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.;!?]\s*$")
_OPERATIVE = re.compile(r"^(?:QUYẾT ĐỊNH|CHỈ THỊ|NGHỊ QUYẾT|KẾT LUẬN)\s*:?\s*$")
_SIGNATURE = re.compile(r"^(?:Nơi\s+nhận|KT\.\s|TM\.\s|TL\.\s|\(Đã\s+ký)", re.I)


def structure(blocks: tuple[Block, ...] | list[Block]) -> Structured:
    blocks = list(blocks)
    header, used = _header(blocks)
    units: list[Unit] = []
    stack: list[Section] = []
    tables: dict[int, tuple[TableHeader | None, list[Section], Section | None]] = {}
    signature = False
    for i, block in enumerate(blocks):
        if i < used:
            continue
        if isinstance(block, TableRow):
            _row(block, tables, stack, units)
            continue
        text = block.text.strip()
        if not text or _OPERATIVE.match(text):
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        section = _as_heading(block, nxt)
        if _SIGNATURE.match(text) or (signature and section is None):
            # "Nơi nhận:", the recipients and the signature close a document, until an
            # attached document or an appendix starts after them
            signature = True
            continue
        signature = False
        if section is None:
            units.append(Unit("paragraph", text, tuple(stack), ocr=block.ocr))
            continue
        while stack and stack[-1].rank >= section.rank:
            stack.pop()
        stack.append(section)
        if section.kind == "article" and section.title and not _is_title(section.title):
            units.append(Unit("paragraph", text, tuple(stack), ocr=block.ocr))  # "Điều 2. …"
        else:
            units.append(Unit("heading", text, tuple(stack), ocr=block.ocr))
    return Structured(header, tuple(units))


def _as_heading(block: Heading | Paragraph, nxt: Block | None) -> Section | None:
    """The section a block opens, when it is a heading by style, by typing or by numbering."""
    text = " ".join(block.text.split())  # runs of white space as one space, cheaper than re.sub
    attached = _KIND_LINE.match(text)
    if attached and text.split(" ")[0].isupper() and (isinstance(block, Heading) or block.emphasis):
        # a document attached to this one: "QUY CHẾ Hoạt động … (Ban hành kèm theo …)"
        return Section(_label(text), "attached", "", attached["rest"], 0)
    found = parse_numbering(text)
    if isinstance(block, Heading):
        if found is not None:
            return _section(found, text)
        return Section(_label(text), "heading", "", text, 4 + block.level)
    if found is None:
        caps = text.upper() == text and any(c.isalpha() for c in text) and len(text.split()) <= 15
        if block.emphasis and caps and not _SENTENCE_END.search(text):
            return Section(_label(text), "heading", "", text, RANK_CAPS)
        return None
    if found.kind in ("appendix", "part", "chapter", "section", "article"):
        return _section(found, text)
    short = len(text.split()) <= 20 and not _SENTENCE_END.search(text)
    caps = found.rest.upper() == found.rest and any(c.isalpha() for c in found.rest)
    if block.emphasis and short:
        return _section(found, text)
    if found.kind in ("roman", "letter") and caps and short:
        return _section(found, text)
    # "1. Phòng Tư pháp thành phố" followed by its bullets: an agency heading typed plain
    if short and len(text.split()) <= 12 and _opens_list(nxt):
        return _section(found, text)
    return None


RANK_CAPS = 5  # an unnumbered heading in capitals sits where a Roman-numbered one would


def _opens_list(nxt: Block | None) -> bool:
    if not isinstance(nxt, Paragraph):
        return False
    if BULLET.match(nxt.text):
        return True
    found = parse_numbering(nxt.text)
    return found is not None and found.kind == "alpha"


def _is_title(words: str) -> bool:
    """"Phạm vi điều chỉnh" is an article's title; "Quyết định này có hiệu lực …" its text."""
    return len(words.split()) <= 12 and not _SENTENCE_END.search(words)


def _section(found: Numbering, text: str) -> Section:
    if found.kind == "article":
        label = found.number if not _is_title(found.rest) else f"{found.number}. {found.rest}"
    else:
        label = text
    return Section(_label(label), found.kind, found.number, found.rest, found.rank)


def _label(text: str) -> str:
    text = text.strip().rstrip(":").strip()
    if len(text) <= MAX_LABEL:
        return text
    cut = text.rfind(" ", 0, MAX_LABEL - 1)
    return text[: cut if cut > 40 else MAX_LABEL - 1] + "…"


def _row(
    block: TableRow,
    tables: dict[int, tuple[TableHeader | None, list[Section], Section | None]],
    stack: list[Section],
    units: list[Unit],
) -> None:
    """A table row: the header row remembered, group rows as sections, data rows as units."""
    if block.table not in tables:
        header = header_of(block.cells) or plain_header(block.cells)
        tables[block.table] = (header, list(stack), None)
        if header is not None:
            return
    if any(_SIGNATURE.match(c) for c in block.cells):
        return  # "Nơi nhận: … | KT. CHỦ TỊCH …": the signature, typed as a table
    header, context, group = tables[block.table]
    if header is not None and tuple(c.strip().lower() for c in block.cells) == header.cells:
        return  # the header repeated on a new page
    title = is_group_row(block.cells, header)
    if title:
        found = parse_numbering(title)
        number = found.number if found else ""
        group = Section(_label(title), found.kind if found else "group", number, title, _GROUP_RANK)
        tables[block.table] = (header, context, group)
        return
    path = context + ([group] if group else [])
    if header is None:
        text = " | ".join(c for c in dict.fromkeys(block.cells) if c)
        units.append(Unit("row", text, tuple(path), ocr=block.ocr))
        return
    cells = row_cells(block.cells, header)
    stt = next((t for role, _, t in cells if role == "stt"), "")
    if stt and re.fullmatch(r"[\w.]{1,6}", stt):
        path.append(Section(stt, "row", stt.rstrip("."), "", _ROW_RANK))
    units.append(Unit("row", row_text(cells), tuple(path), cells, ocr=block.ocr))
