"""Agency names: who leads a task, who cooperates, and whether a heading names an agency.

Documents write agencies many ways — "Bộ TT&TT", "Sở Lao động, Thương binh và Xã hội",
"UBND các huyện, thị xã, thành phố", "Văn phòng HĐND và UBND thành phố", "Các sở, ngành" —
and the commas inside some names are the same commas that separate others in a partners
cell. A name here is a known head (Bộ, Sở, UBND, Công an, Phòng, Ban …) extended over its
proper name, or a collective ("các sở, ngành"); the subject of a clause is the lead,
agencies after "phối hợp với" are partners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Agency", "agencies", "subject", "partners_in", "split_agencies", "agency_name"]

_I = re.IGNORECASE

_DOMAINS = sorted(
    (
        "Tư pháp|Công an|Tài chính|Nội vụ|Y tế|Ngoại giao|Quốc phòng|Kế hoạch và Đầu tư|"
        "Công Thương|Công thương|Xây dựng|Giao thông vận tải|Tài nguyên và Môi trường|"
        "Thông tin và Truyền thông|Lao động - Thương binh và Xã hội|"
        "Lao động – Thương binh và Xã hội|"
        "Lao động, Thương binh và Xã hội|Văn hóa, Thể thao và Du lịch|Văn hoá, Thể thao và Du lịch|"
        "Khoa học và Công nghệ|Giáo dục và Đào tạo|Nông nghiệp và Phát triển nông thôn|"
        "Nông nghiệp và Môi trường|Dân tộc và Tôn giáo|Văn hóa và Thông tin|Văn hóa - Thông tin"
    ).split("|"),
    key=len,
    reverse=True,
)
_DOMAINS_LOWER = [d.lower() for d in _DOMAINS]
_LOCALITY = re.compile(
    r"\s+(?:cấp\s+)?(?:tỉnh|huyện|xã|thành\s+phố|quận|phường|thị\s+xã|thị\s+trấn)(?!\w)", _I
)
_PLACE = (
    r"(?:tỉnh|huyện|xã|thành\s+phố(?:\s+thuộc\s+tỉnh|\s+trực\s+thuộc\s+[Tt]rung\s+ương)?|quận"
    r"|phường|thị\s+xã|thị\s+trấn|địa\s+phương)"
)
_NOUN = (
    rf"(?:bộ|ngành|sở|ban|phòng|đơn\s+vị|cơ\s+quan(?:\s+ngang\s+bộ|\s+thuộc\s+Chính\s+phủ)?"
    rf"|{_PLACE}|tổ\s+chức|doanh\s+nghiệp|đoàn\s+thể|hội|trường|cơ\s+sở|bệnh\s+viện|ngân\s+hàng"
    rf"|chi\s+nhánh|tổ\s+công\s+tác|thành\s+viên)"
)
_QUALIFIER = (
    r"(?:\s+(?:chuyên\s+môn|có\s+liên\s+quan|liên\s+quan|trực\s+thuộc|thuộc\s+(?:Sở|Bộ|tỉnh)"
    r"(?!\s+[A-ZĐ])|trên\s+địa\s+bàn(?:\s+(?:tỉnh|thành\s+phố|huyện))?|cấp\s+(?:tỉnh|huyện|xã)"
    r"|các\s+cấp|tỉnh|thành\s+phố|huyện|(?:Trung\s+ương|trung\s+ương)))"
)
_COLLECTIVE = re.compile(
    rf"""
    (?:(?:UBND|HĐND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|Công\s+an|Sở\s+Tư\s+pháp
        |Chủ\s+tịch\s+UBND)\s+)?
    (?:[Cc]ác|[Nn]hững)\s+
    (?i:{_NOUN})(?:\s*(?:,|và|;)\s*(?:{_NOUN}))*
    {_QUALIFIER}*
    (?:\s+(?:này|nêu\s+trên|trên|đó))?
    (?!\w)
    """,
    re.VERBOSE,
)
_NAMED_HEAD = re.compile(
    r"""
    (?P<local>(?:UBND|HĐND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|Hội\s+đồng\s+nhân\s+dân
              |Công\s+an|BHXH|Bảo\s+hiểm\s+xã\s+hội|Kho\s+bạc\s+Nhà\s+nước|Ngân\s+hàng\s+Nhà\s+nước
              |Bưu\s+điện|Viễn\s+thông)
      (?!\s+các\s))
   |(?P<bare>Tổ\s+công\s+tác|Chính\s+phủ|Văn\s+phòng\s+Chính\s+phủ|Thanh\s+tra\s+Chính\s+phủ
      |Kiểm\s+toán\s+Nhà\s+nước|Ban\s+Chỉ\s+đạo|Tổ\s+trưởng|Thường\s+trực)
   |(?P<ministry>Bộ|Sở)(?=\s)
   |(?P<head>Tổng\s+cục|Chi\s+cục|Văn\s+phòng|Ủy\s+ban|Uỷ\s+ban|Ngân\s+hàng|Thanh\s+tra|Tòa\s+án
      |Toà\s+án|Viện|Hội\s+đồng|Trung\s+tâm|Cục|Vụ|Ban|Đài|Phòng|Tập\s+đoàn|Tổng\s+công\s+ty
      |Công\s+ty|Mặt\s+trận|Học\s+viện|Trường|Đoàn|Hội|Liên\s+đoàn|Bệnh\s+viện)(?=\s)
    """,
    re.VERBOSE,
)
_ACRONYM = re.compile(r"\s+(?:[A-ZĐ][A-ZĐ0-9]*(?:[&\-][A-ZĐ0-9]+)+|[A-ZĐ]{2,}[0-9]*)(?![\w&])")
# Words that end an agency's name: verbs, modals and prepositions that follow a subject.
_STOP_WORDS = set(
    """
    cần phải khẩn trương chủ trì phối hợp với của cho về tại trong trước để theo và là có đã
    được sẽ cùng thuộc các những này đó trên tiếp tục hoàn thành tổ chức thực hiện triển khai
    xây dựng rà soát trình ban hành báo cáo gửi đề nghị yêu cầu giao chỉ đạo hướng dẫn đôn đốc
    tham mưu chịu trách nhiệm bảo đảm đảm bảo nghiên cứu sớm kịp thời quyết liệt từ đến khi nếu
    thì ngay đánh giá tăng cường đẩy mạnh nâng cao tập trung cập nhật kết nối tích hợp cung cấp
    hoàn thiện chuẩn bị lập mở tiến hành ứng dụng đăng ký làm hỗ trợ tổng hợp theo dõi kiểm tra
    số hóa số hoá tái cấu trúc đối chiếu phát triển duy trì quản lý vận hành họp sơ kết tổng kết
    tuyên truyền thường xuyên hằng hàng định kỳ
    """.split()
)


@dataclass(frozen=True)
class Agency:
    text: str
    start: int
    end: int


_WORD = re.compile(r" ([^\s,;:.()]+)")


def _named_at(text: str, m: re.Match[str]) -> Agency | None:
    """Extend an agency head ("Bộ", "Cục", "UBND") over its proper name."""
    pos = m.end()
    if m["ministry"]:
        rest = text[pos:].lower()
        for dom in _DOMAINS_LOWER:
            if rest.startswith(" " + dom) and not rest[len(dom) + 1 : len(dom) + 2].isalnum():
                pos += len(dom) + 1
                return Agency(text[m.start() : pos], m.start(), pos)
        acr = _ACRONYM.match(text, pos)
        if acr:
            return Agency(text[m.start() : acr.end()], m.start(), acr.end())
    if m["local"]:
        loc = _LOCALITY.match(text, pos)
        if loc:
            pos = loc.end()
            while (w := _WORD.match(text, pos)) and w[1][:1].isupper():
                pos = w.end()  # the place name: "tỉnh Đồng Nai"
        return Agency(text[m.start() : pos], m.start(), pos)
    if m["bare"]:
        end = _proper_words(text, pos, first=True, limit=8)
        return Agency(text[m.start() : end], m.start(), end)
    end = _proper_words(text, pos, first=True, limit=8)
    if end == pos:
        return None
    return Agency(text[m.start() : end], m.start(), end)


def _proper_words(text: str, pos: int, *, first: bool, limit: int) -> int:
    """End of a name like "Công nghệ thông tin": a capitalised word, then non-verbs."""
    count = 0
    while count < limit:
        w = _WORD.match(text, pos)
        if not w:
            break
        word = w[1]
        if count == 0 and first and not (word[:1].isupper() or word[:1].isdigit()):
            break
        if word.lower() == "và" or word in ("-", "–", "&"):
            nxt = _WORD.match(text, w.end())
            if nxt and nxt[1][:1].isupper():
                pos = nxt.end()
                count += 2
                continue
            break
        if word.lower() == "thành" and text.startswith(" phố", w.end()):
            pos = w.end() + 4  # "… thành phố": a place, though "thành" ends "hoàn thành"
            count += 2
            continue
        if word.lower() in _STOP_WORDS and not word[:1].isupper():
            break
        pos = w.end()
        count += 1
    return pos


def agencies(text: str, start: int, end: int) -> list[Agency]:
    """Every agency named in `text[start:end]`, in order, none overlapping."""
    found: list[Agency] = []
    for m in _COLLECTIVE.finditer(text, start, end):
        found.append(Agency(text[m.start() : m.end()], m.start(), m.end()))
    for m in _NAMED_HEAD.finditer(text, start, end):
        if any(a.start <= m.start() < a.end for a in found):
            continue
        ag = _named_at(text, m)
        if ag and ag.end <= end:
            found.append(ag)
    found.sort(key=lambda a: a.start)
    return found


_NOT_SUBJECT_BEFORE = re.compile(
    r"(?<!\w)(?:gửi|với|của|cho|trình|về|tại|đến|từ|lên|và|thuộc|theo|hoặc|trưởng|phó|"
    r"đại\s+diện|lãnh\s+đạo|người\s+đứng\s+đầu|Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng|"
    r"cùng)\s*$",
    _I,
)
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[,:(\-–+•*]|(?<!\w)(?:giao|đề\s+nghị|yêu\s+cầu|chỉ\s+đạo|Giao|Đề\s+nghị)|\d[.)]"
    r"|(?<!\w)[a-zđ]\))\s*$"
)
_LIST_GLUE = re.compile(r"\s*(?:,|và|cùng|,\s*và)\s*$")
_PREDICATE_AFTER = re.compile(r"\s*(?::|\s(?!(?:về|của|và|trong|tại|với|thuộc|ở)(?!\w))[^\W\d_])")
_LABEL_OWNER = re.compile(
    r"(?:cơ\s+quan|đơn\s+vị)\s+(?:chủ\s+trì|thực\s+hiện|chịu\s+trách\s+nhiệm)\s*:\s*$", _I
)
_TRAILING_ANAPHOR = re.compile(r"\s+(?:này|nêu\s+trên|trên|đó)$")


def _lists(text: str, found: list[Agency]) -> list[tuple[int, int]]:
    """Index ranges of agencies written as one list ("Bộ Tư pháp, Văn phòng Chính phủ")."""
    out = []
    i = 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and _LIST_GLUE.match(text[found[j].end : found[j + 1].start]):
            j += 1
        out.append((i, j))
        i = j + 1
    return out


def subject(text: str, start: int, end: int) -> Agency | None:
    """The agency that owns the clause: the last agency list standing as a subject."""
    ags = agencies(text, start, end)
    best: Agency | None = None
    for i, j in _lists(text, ags):
        first, last = ags[i], ags[j]
        before = text[start : first.start]
        after = text[last.end : end]
        label = _LABEL_OWNER.search(before)
        is_subject = label is not None or (
            not _NOT_SUBJECT_BEFORE.search(before)
            and _SUBJECT_BEFORE.search(before) is not None
            and _PREDICATE_AFTER.match(after) is not None
        )
        if is_subject:
            name = _TRAILING_ANAPHOR.sub("", text[first.start : last.end])
            best = Agency(name, first.start, last.end)
    return best


_COOPERATE = re.compile(
    r"(?<!\w)(?:phối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với|\s+cùng)?|cùng\s+với)\s+", _I
)
_PARTNER_LABEL = re.compile(r"(?:cơ\s+quan|đơn\s+vị)\s+phối\s+hợp\s*:\s*(?P<names>[^.;\n]+)", _I)


def partners_in(text: str, start: int, end: int, lead: str = "") -> list[str]:
    """Agencies named after "phối hợp với" (or a "Cơ quan phối hợp:" label) in the span."""
    out: list[str] = []
    for m in _COOPERATE.finditer(text, start, end):
        ags = [a for a in agencies(text, m.end(), end) if a.start >= m.end()]
        if not ags or text[m.end() : ags[0].start].strip():
            continue
        i, j = _lists(text, ags)[0]
        out += [_TRAILING_ANAPHOR.sub("", a.text) for a in ags[i : j + 1]]
    for m in _PARTNER_LABEL.finditer(text, start, end):
        out += split_agencies(m["names"])
    lead_key = " ".join(lead.lower().split())
    return [p for p in dict.fromkeys(out) if " ".join(p.lower().split()) != lead_key]


# --- cells and headings ---------------------------------------------------------------------

_PROTECTED = re.compile(
    r"\([^)]*\)|HĐND\s+và\s+UBND|Hội\s+đồng\s+nhân\s+dân\s+và\s+Ủy\s+ban\s+nhân\s+dân|"
    + "|".join(re.escape(d) for d in _DOMAINS),
    _I,
)
_STRONG = re.compile(r"\s*;\s*")
_WEAK = re.compile(r"\s*,\s*|\s+(?:và|cùng)\s+")
_NONE_CELLS = {"", "-", "–", "—", "không", "x", "/", "không có"}
_BULLETS = re.compile(r"(?:^|\n)\s*(?:[-–•+*]|\d+[.)]|[a-zđ]\))\s+")


def split_agencies(cell: str) -> list[str]:
    """A partners cell as a list: "Công an tỉnh, Sở Tư pháp" → 2, "Các sở, ngành" → 1.

    ";" and line breaks always separate. A comma separates only when a new name follows
    (a lower-case word — "ngành", "thị xã" — continues the name before it), " và " only
    when an agency head follows ("Sở Tư pháp và Công an tỉnh"), so "Sở Kế hoạch và Đầu
    tư" and "Văn phòng HĐND và UBND tỉnh" stay whole.
    """
    text = _BULLETS.sub(" ; ", cell)
    text = " ".join(text.replace("\n", " ; ").split()).strip(" ;,.")
    if text.lower() in _NONE_CELLS:
        return []
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
    cuts: list[tuple[int, int]] = []
    for m in sorted([*_STRONG.finditer(text), *_WEAK.finditer(text)], key=lambda m: m.start()):
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        rest = text[m.end() :]
        sep = m[0].strip()
        if sep in ("và", "cùng") and not _starts_agency(rest):
            continue
        if sep == "," and not _starts_new(rest):
            continue
        cuts.append((m.start(), m.end()))
    pieces, pos = [], 0
    for a, b in cuts:
        pieces.append(text[pos:a])
        pos = b
    pieces.append(text[pos:])
    return [p.strip(" ,;.") for p in pieces if p.strip(" ,;.")]


def _starts_agency(rest: str) -> bool:
    return bool(_COLLECTIVE.match(rest) or _NAMED_HEAD.match(rest))


def _starts_new(rest: str) -> bool:
    return bool(rest) and (rest[:1].isupper() or rest[:1].isdigit() or _starts_agency(rest))


_HEADING_PREFIX = re.compile(
    r"^(?:(?:trách\s+nhiệm|nhiệm\s+vụ)\s+(?:của\s+)?|đối\s+với\s+|giao\s+)", _I
)


def agency_name(text: str) -> str | None:
    """The agency a heading names ("Sở Tư pháp:", "Công an thành phố" once its number is
    stripped, "Trách nhiệm của UBND các huyện"), or None when the heading is not an agency
    ("MỤC ĐÍCH, YÊU CẦU", "Tổ chức thực hiện"). An all-capitals heading is read too."""
    t = " ".join(text.split()).strip(" .;:-–")
    t = t.split(":", 1)[0].strip()
    t = re.sub(r"\s*\([^)]*\)\s*$", "", t)
    t = _HEADING_PREFIX.sub("", t)
    if not t:
        return None
    letters = [c for c in t if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        probes = [_sentence_case(t)]
        if _TITLE_HEADS.match(probes[0]):
            probes.append(" ".join(w if _is_acronym(w) else w.capitalize() for w in t.split()))
    else:
        probes = [t]
    for probe in probes:
        end = _whole_name(probe)
        if end:
            return t[:end]
    return None


def _whole_name(probe: str) -> int:
    """End of the agency list that spans the whole text, else 0."""
    found = agencies(probe, 0, len(probe))
    if not found or found[0].start != 0:
        return 0
    _, j = _lists(probe, found)[0]
    end = found[j].end
    return 0 if probe[end:].strip(" ,") else end


_ACRONYMS = {"UBND", "HĐND", "BHXH", "CSDL", "VNPT", "MTTQ", "CNTT", "TTHC", "BCĐ", "HĐND-UBND"}
_TITLE_HEADS = re.compile(r"(?:Phòng|Sở|Ban|Cục|Chi cục|Trung tâm|Văn phòng|Bộ)\s", re.I)


def _is_acronym(word: str) -> bool:
    w = word.strip(",;:.()")
    return (
        w in _ACRONYMS
        or any(c in w for c in "&0123456789")
        or not re.search(
            r"[AEIOUYĂÂÊÔƠƯÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]", w
        )
    )


def _sentence_case(t: str) -> str:
    """All capitals made readable, "UBND CÁC HUYỆN" → "UBND các huyện": acronyms keep their
    capitals, so the name patterns (which know "UBND" and "Công an tỉnh") can read it."""
    s = " ".join(w if _is_acronym(w) else w.lower() for w in t.split())
    return s[:1].upper() + s[1:]
