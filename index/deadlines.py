"""Dated commitments in a passage: what is due, by whom, and by when.

Officials ask the assistant above all "what is due, by whom, when", and plans state it in
many shapes ("trước ngày 30/3/2024", "hoàn thành trong quý II/2024", "chậm nhất ngày 15
tháng 8 năm 2025", "6 tháng đầu năm 2025", "có hiệu lực từ ngày 1/7/2024"). News about the
same plans is full of dates that only report what happened ("Ngày 09/02/2023, Bộ Tư pháp
đã ban hành…", "Sáng 25-12", datelines), so a date alone is never a deadline: it needs a
deadline cue right before it, and a clause that reads as an obligation rather than a report.

Period deadlines fall due on the period's last day and keep their precision, so "quý II/2024"
is 2024-06-30 with precision "quarter". "trước tháng 6/2024" is read literally (before June
starts): due 2024-05-31. Effective dates ("có hiệu lực từ …") are kind "effective" and fall on
the first day of their period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Deadline", "PRECISIONS", "KINDS", "extract_deadlines", "period_bounds"]

PRECISIONS = ("day", "month", "quarter", "half", "year")
KINDS = ("deadline", "effective")
TEXT_LIMIT = 250

_I = re.IGNORECASE
_IX = re.IGNORECASE | re.VERBOSE


@dataclass(frozen=True)
class Deadline:
    """One dated commitment; `start`/`end` index the timing phrase ("trước ngày 30/3/2024")."""

    due: date
    precision: str  # day | month | quarter | half | year
    kind: str  # deadline | effective
    text: str  # the task as written, trimmed to at most ~250 characters
    agency: str  # the responsible agency named in the clause, "" when none
    start: int
    end: int


# --- date expressions -------------------------------------------------------------------------

_SEP = r"\s*(?:/|-|\.|năm)\s*"
_DATE = re.compile(
    rf"""
    (?<![\w/.])
    (?:
      (?P<half>(?:0?6|sáu)\s+tháng\s+(?P<h_which>đầu|cuối)\s+năm(?:\s+(?P<h_y>\d{{4}}))?
              |nửa\s+(?P<h_which2>đầu|cuối)\s+năm(?:\s+(?P<h_y2>\d{{4}}))?)
     |(?P<dayw>(?:ngày\s+)?(?P<dw_d>\d{{1,2}})\s+tháng\s+(?P<dw_m>\d{{1,2}})
              (?:\s*(?:năm|,)\s*(?P<dw_y>\d{{4}}))?)
     |(?P<dayn>(?:ngày\s+)?(?P<dn_d>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<dn_m>\d{{1,2}})
              (?:\s*(?P=sep)\s*(?P<dn_y>\d{{4}}|\d{{2}}))?)
     |(?P<month>tháng\s+(?P<m_m>\d{{1,2}})(?:{_SEP}(?P<m_y>\d{{4}}))?)
     |(?P<quarter>(?:quý|quí|qúy)\s+(?P<q_q>iv|i{{1,3}}|[1-4])(?:{_SEP}(?P<q_y>\d{{4}}))?
              |(?-i:Q)(?P<q_q2>[1-4])(?:{_SEP}(?P<q_y2>\d{{4}}))?)
     |(?P<year>năm\s+(?P<y_y>\d{{4}}))
    )
    (?![\w]|[/.-]\d|\s*[-–]\s*\d{{4}})
    """,
    _IX,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# --- cues: what must stand right before a date for it to be a deadline -------------------------

_EFFECTIVE_CUE = re.compile(
    r"(?:hiệu\s+lực(?:\s+thi\s+hành)?|được\s+áp\s+dụng|áp\s+dụng)\s+(?:kể\s+)?(?:từ|vào)\s+$", _I
)
_CUE = re.compile(
    r"""
    (?:
      (?P<label>(?<!\w)(?:thời\s+gian|thời\s+hạn|hạn\s+chót|hạn\s+cuối|hạn|tiến\s+độ)
          (?:\s+[^\s,;:.]+){0,6}?\s*(?::|là)\s*(?:hoàn\s+thành\s+)?(?P<l_prep>trước|trong|chậm\s+nhất|đến\s+hết|vào)?\s*)
     |(?P<done>(?:hoàn\s+thành|hoàn\s+tất|xong|kết\s+thúc)
          (?:\s+(?:việc\s+)?(?P<d_prep>trước|trong|vào|chậm\s+nhất|ngay\s+trong|đến\s+hết))?\s+)
     |(?P<by>(?:chậm\s+nhất|muộn\s+nhất|không\s+muộn\s+hơn|không\s+chậm\s+hơn|không\s+quá
             |hạn\s+chót|hạn\s+cuối|(?<!\w)hạn)
          (?:\s+(?:là|vào|trong|ngày))*\s*:?\s+)
     |(?P<before>(?<!\w)trước\s+)
     |(?P<until>đến\s+hết\s+)
     |(?P<within>(?<!\w)(?:ngay\s+)?(?:trong|vào)\s+)
    )
    (?P<end_of>cuối\s+)?$
    """,
    _IX,
)
# "hoàn thành kết nối 6 tháng đầu năm 2025": the verb, a short object, then the period.
_LOOSE_CUE = re.compile(r"(?<!\w)(?:hoàn\s+thành|hoàn\s+tất|xong)(?:\s+[^\s,;:.\d]+){1,6}\s+$", _I)
# Reports, not commitments: "đã hoàn thành trong năm 2022", "Trước 25/12, tỉnh đã tổ chức…".
_PAST_BEFORE = re.compile(r"(?<!\w)(?:đã|vừa|từng)(?!\w)", _I)
_PAST_AFTER = re.compile(r"(?<!\w)(?:đã|vừa|diễn\s+ra|đến\s+nay|tới\s+nay|qua)(?!\w)", _I)
_MODAL = re.compile(
    r"(?<!\w)(?:cần|phải|khẩn\s+trương|yêu\s+cầu|đề\s+nghị|giao|chủ\s+trì|phấn\s+đấu"
    r"|trách\s+nhiệm|bảo\s+đảm|đảm\s+bảo|sẽ|tiếp\s+tục|chỉ\s+đạo|đôn\s+đốc|quyết\s+liệt)(?!\w)",
    _I,
)
_ACTION_WORDS = (
    "hoàn thành|hoàn thiện|hoàn tất|hoàn chỉnh|ban hành|trình|báo cáo|đề xuất|xây dựng|"
    "triển khai|tổ chức|thực hiện|rà soát|sửa đổi|bổ sung|cập nhật|kết nối|tích hợp|cung cấp|"
    "số hóa|số hoá|đưa|gửi|nộp|tổng hợp|tập hợp|tổng kết|sơ kết|đánh giá|nghiên cứu|hướng dẫn|"
    "kiểm tra|đăng ký|cấp|thẩm định|nâng cấp|chuyển đổi|làm sạch|ký|phê duyệt|xong|vận hành|"
    "áp dụng|thí điểm|công bố|thành lập|bố trí|chi trả|giải quyết|xử lý|đào tạo|tập huấn|"
    "tuyên truyền|cắt giảm|đơn giản hóa|đơn giản hoá|tái cấu trúc|kiện toàn|phối hợp|đầu tư|"
    "mua sắm|lắp đặt|khai trương|ứng dụng|kết thúc|xác thực|định danh|thu thập|chia sẻ|"
    "khai thác|sử dụng|chuẩn hóa|chuẩn hoá|phổ biến|ký ban hành|trình ký"
)
_ACTION = re.compile(rf"(?<!\w)(?:{_ACTION_WORDS})(?!\w)", _I)
_BULLET = re.compile(r"\s*(?:[-+•*–]+|\(?\d+(?:\.\d+)*[.)]|\(?[a-zđ][.)])?\s*", _I)

# --- sentence and clause boundaries -----------------------------------------------------------

_SENT_END = re.compile(r"\n|(?<=[.!?…])\s+(?=[\"“(\-–•+*\d]|[^\W\d_])")
_CLAUSE_END = re.compile(r"\n|;|(?<=[.!?…])\s+(?=[\"“(\-–•+*\d]|[^\W\d_])")


_LOOKBACK = 3000  # no sentence is longer; keeps whole-document extraction linear
_BULLET_ONLY = re.compile(r"\s*(?:\d+(?:\.\d+)*|[a-zđ]|[IVX]+)[.)]", _I)


def _is_break(text: str, m: re.Match[str]) -> bool:
    """A sentence boundary, unless it is the space after a list number ("2. Sở Tư pháp")."""
    if "\n" in m[0]:
        return True
    line_start = text.rfind("\n", 0, m.start()) + 1
    return _BULLET_ONLY.fullmatch(text, line_start, m.start()) is None


def _bounds(text: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    lo = max(0, pos - _LOOKBACK)
    start = lo
    for m in pattern.finditer(text, lo, pos):
        if _is_break(text, m):
            start = m.end()
    end = len(text)
    for m in pattern.finditer(text, pos):
        if _is_break(text, m):
            end = m.start()
            break
    return start, end


# --- agencies ---------------------------------------------------------------------------------

_DOMAINS = sorted(
    (
        "Tư pháp|Công an|Tài chính|Nội vụ|Y tế|Ngoại giao|Quốc phòng|Kế hoạch và Đầu tư|"
        "Công Thương|Công thương|Xây dựng|Giao thông vận tải|Tài nguyên và Môi trường|"
        "Thông tin và Truyền thông|Lao động - Thương binh và Xã hội|"
        "Lao động – Thương binh và Xã hội|"
        "Lao động, Thương binh và Xã hội|Văn hóa, Thể thao và Du lịch|Văn hoá, Thể thao và Du lịch|"
        "Khoa học và Công nghệ|Giáo dục và Đào tạo|Nông nghiệp và Phát triển nông thôn|"
        "Nông nghiệp và Môi trường|Dân tộc và Tôn giáo"
    ).split("|"),
    key=len,
    reverse=True,
)
_LOCALITY = re.compile(r"\s+(?:cấp\s+)?(?:tỉnh|huyện|xã|thành\s+phố|quận|phường|thị\s+xã)(?!\w)")
_COLLECTIVE = re.compile(
    r"""
    (?:(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|Công\s+an|Sở\s+Tư\s+pháp)\s+)?
    (?:[Cc]ác|[Nn]hững)\s+
    (?:[Bb]ộ(?:\s*,\s*(?:ngành|cơ\s+quan(?:\s+ngang\s+bộ)?|địa\s+phương|cơ\s+quan\s+thuộc\s+Chính\s+phủ))+
      |[Bb]ộ,?\s+cơ\s+quan\s+ngang\s+bộ(?:\s*,\s*cơ\s+quan\s+thuộc\s+Chính\s+phủ)?
      |tỉnh\s*,\s*thành\s+phố(?:\s+trực\s+thuộc\s+[Tt]rung\s+ương)?
      |địa\s+phương
      |đơn\s+vị(?:\s+(?:thuộc\s+Bộ|có\s+liên\s+quan|liên\s+quan))?
      |cơ\s+quan(?:\s*,\s*đơn\s+vị)?(?:\s+(?:có\s+liên\s+quan|liên\s+quan))?
      |[Ss]ở\s*,\s*ban\s*,\s*ngành
      |[Bb]ộ(?!\w)
    )
    (?:\s+(?:này|nêu\s+trên|trên|đó))?
    """,
    re.VERBOSE,
)
_NAMED_HEAD = re.compile(
    r"""
    (?P<local>(?:UBND|HĐND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|Hội\s+đồng\s+nhân\s+dân
              |Công\s+an|BHXH|Bảo\s+hiểm\s+xã\s+hội|Kho\s+bạc\s+Nhà\s+nước|Ngân\s+hàng\s+Nhà\s+nước)
      (?!\s+các\s))
   |(?P<bare>Tổ\s+công\s+tác|Chính\s+phủ|Văn\s+phòng\s+Chính\s+phủ|Thanh\s+tra\s+Chính\s+phủ
      |Kiểm\s+toán\s+Nhà\s+nước)
   |(?P<ministry>Bộ|Sở)(?=\s)
   |(?P<head>Tổng\s+cục|Chi\s+cục|Văn\s+phòng|Ủy\s+ban|Uỷ\s+ban|Ngân\s+hàng|Thanh\s+tra|Tòa\s+án
      |Toà\s+án|Viện|Hội\s+đồng|Trung\s+tâm|Cục|Vụ|Ban|Đài|Phòng|Tập\s+đoàn|Tổng\s+công\s+ty
      |Công\s+ty|Mặt\s+trận|Học\s+viện|Trường)(?=\s)
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
    hoàn thiện chuẩn bị lập mở tiến hành ứng dụng đăng ký
    """.split()
)


@dataclass(frozen=True)
class _Agency:
    text: str
    start: int
    end: int


def _named_at(text: str, m: re.Match[str]) -> _Agency | None:
    """Extend an agency head ("Bộ", "Cục", "UBND") over its proper name."""
    pos = m.end()
    if m["ministry"]:
        rest = text[pos:]
        for dom in _DOMAINS:
            if rest.startswith(" " + dom) and not rest[len(dom) + 1 : len(dom) + 2].isalnum():
                pos += len(dom) + 1
                return _Agency(text[m.start() : pos], m.start(), pos)
        acr = _ACRONYM.match(text, pos)
        if acr:
            return _Agency(text[m.start() : acr.end()], m.start(), acr.end())
    if m["local"]:
        loc = _LOCALITY.match(text, pos)
        if loc:
            pos = loc.end()
            while (w := _WORD.match(text, pos)) and w[1][:1].isupper():
                pos = w.end()  # the place name: "tỉnh Đồng Nai"
        return _Agency(text[m.start() : pos], m.start(), pos)
    if m["bare"]:
        return _Agency(text[m.start() : pos], m.start(), pos)
    end = _proper_words(text, pos, first=True, limit=8)
    if end == pos:
        return None
    return _Agency(text[m.start() : end], m.start(), end)


_WORD = re.compile(r" ([^\s,;:.()]+)")


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
        if word.lower() in _STOP_WORDS and not word[:1].isupper():
            break
        pos = w.end()
        count += 1
    return pos


def _agencies(text: str, start: int, end: int) -> list[_Agency]:
    found: list[_Agency] = []
    for m in _COLLECTIVE.finditer(text, start, end):
        found.append(_Agency(text[m.start() : m.end()], m.start(), m.end()))
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
    r"đại\s+diện|lãnh\s+đạo|người\s+đứng\s+đầu|Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng)\s*$",
    _I,
)
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[,:(\-–+•*]|(?<!\w)(?:giao|đề\s+nghị|yêu\s+cầu|chỉ\s+đạo|Giao|Đề\s+nghị)|\d[.)])\s*$"
)
_LIST_GLUE = re.compile(r"\s*(?:,|và|cùng|,\s*và)\s*$")
_PREDICATE_AFTER = re.compile(r"\s*(?::|\s(?!(?:về|của|và|trong|tại|với|thuộc|ở)(?!\w))[^\W\d_])")
_LABEL_OWNER = re.compile(
    r"(?:cơ\s+quan|đơn\s+vị)\s+(?:chủ\s+trì|thực\s+hiện|chịu\s+trách\s+nhiệm)\s*:\s*$", _I
)


def _subject(text: str, start: int, end: int) -> _Agency | None:
    """The agency that owns the clause: the last agency list standing as a subject."""
    ags = _agencies(text, start, end)
    best: _Agency | None = None
    i = 0
    while i < len(ags):
        j = i  # grow a list "Bộ Tư pháp, Văn phòng Chính phủ"
        while j + 1 < len(ags) and _LIST_GLUE.match(text[ags[j].end : ags[j + 1].start]):
            j += 1
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
            name = text[first.start : last.end]
            name = re.sub(r"\s+(?:này|nêu\s+trên|trên|đó)$", "", name)
            best = _Agency(name, first.start, last.end)
        i = j + 1
    return best


# --- the extractor ----------------------------------------------------------------------------


def period_bounds(precision: str, year: int, index: int) -> tuple[date, date]:
    """First and last day of a period: month 1-12, quarter 1-4, half 1-2, year (index ignored)."""
    if precision == "month":
        return date(year, index, 1), date(year, index, calendar.monthrange(year, index)[1])
    if precision == "quarter":
        last = index * 3
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    if precision == "half":
        if index == 1:
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)
    if precision == "year":
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"not a period precision: {precision}")


_YEAR_CONTEXT = re.compile(
    r"(?<![\w/])(?P<lead>(?:đến|tới|tầm\s+nhìn|giai\s+đoạn)\s+)?năm\s+(?P<y>\d{4})(?![\d/-])"
    r"|(?<![\w/])\d{1,2}[/.-]\d{1,2}[/.-](?P<y2>\d{4})(?!\d)",
    _I,
)


def _context_year(
    text: str, pos: int, sentence: tuple[int, int], default_year: int | None
) -> int | None:
    """Year for a date written without one: its sentence, then the passage, then the document."""

    def years(a: int, b: int) -> list[tuple[int, int]]:
        out = []
        for m in _YEAR_CONTEXT.finditer(text, a, b):
            if m["lead"]:
                continue
            out.append((m.start(), int(m["y"] or m["y2"])))
        return out

    in_sentence = years(*sentence)
    before = [y for p, y in in_sentence if p < pos]
    if before:
        return before[-1]
    after = [y for p, y in in_sentence if p > pos]
    if after:
        return after[0]
    earlier = years(max(0, sentence[0] - _LOOKBACK), sentence[0])
    if earlier:
        return earlier[-1][1]
    return default_year


def _parse(m: re.Match[str]) -> tuple[str, int, int | None] | None:
    """(precision, index-or-packed-day, year) of a date expression; day is packed as m*100+d."""
    if m["half"]:
        which = (m["h_which"] or m["h_which2"]).lower()
        y = m["h_y"] or m["h_y2"]
        return "half", 1 if which == "đầu" else 2, int(y) if y else None
    if m["dayw"]:
        d, mo, y = int(m["dw_d"]), int(m["dw_m"]), m["dw_y"]
        return "day", mo * 100 + d, int(y) if y else None
    if m["dayn"]:
        d, mo, y = int(m["dn_d"]), int(m["dn_m"]), m["dn_y"]
        if m["sep"] == "." and not y:
            return None  # "5.142" is a number, not 5 December
        year = None if not y else int(y) if len(y) == 4 else 2000 + int(y)
        return "day", mo * 100 + d, year
    if m["month"]:
        y = m["m_y"]
        return "month", int(m["m_m"]), int(y) if y else None
    if m["quarter"]:
        q = (m["q_q"] or m["q_q2"]).lower()
        y = m["q_y"] or m["q_y2"]
        return "quarter", _ROMAN.get(q) or int(q), int(y) if y else None
    if m["year"]:
        return "year", 0, int(m["y_y"])
    return None


def _resolve(precision: str, index: int, year: int, mode: str) -> date | None:
    """The due day: a period's last day, the day before it ("trước"), or its first (effective)."""
    try:
        if precision == "day":
            day = date(year, index // 100, index % 100)
            return day
        first, last = period_bounds(precision, year, index)
    except ValueError:
        return None
    if mode == "before":
        return first - timedelta(days=1)
    if mode == "effective":
        return first
    return last


def _is_obligation(text: str, sent: tuple[int, int], cue_start: int, after_end: int) -> bool:
    """A weak cue ("trong quý I") counts only in a clause that assigns work."""
    before = text[sent[0] : cue_start]
    if _MODAL.search(before):
        return True
    stripped = _BULLET.sub("", before, count=1)
    if _ACTION.match(stripped) and stripped[:1].isupper():
        return True  # imperative line in a plan: "- Xây dựng …, hoàn thành trong quý II"
    if _subject(text, sent[0], cue_start) is not None:
        return True
    # time-fronted: "Trong quý II/2024, Bộ Công an chủ trì …"
    if not stripped.strip():
        rest = text[after_end : sent[1]]
        return bool(_MODAL.search(rest) or _subject(text, after_end, sent[1]))
    return False


def extract_deadlines(text: str, *, default_year: int | None) -> list[Deadline]:
    """Every deadline and effective date stated in `text` (a passage), in text order.

    `default_year` (usually the document's year) dates "ngày 15 tháng 8" when neither the
    sentence nor the passage before it names a year; without any year the date is skipped.
    """
    out: list[Deadline] = []
    for m in _DATE.finditer(text):
        parsed = _parse(m)
        if parsed is None:
            continue
        precision, index, year = parsed
        sent = _bounds(text, m.start(), _SENT_END)
        clause = _bounds(text, m.start(), _CLAUSE_END)
        if clause[1] < m.end():
            continue
        head = text[max(clause[0], m.start() - 80) : m.start()]
        found = _classify(text, m, head, clause, sent)
        if found is None:
            continue
        kind, mode, cue_start = found
        if year is None:
            year = _context_year(text, m.start(), sent, default_year)
            if year is None:
                continue
        if not 1990 <= year <= 2100:
            continue
        due = _resolve(precision, index, year, mode)
        if due is None:
            continue
        agency = "" if kind == "effective" else _owner(text, clause, sent, cue_start, m)
        task = _task(text, clause, sent, cue_start, m.end(), agency)
        if kind == "effective":
            task = _PURPOSE.sub("", task, count=1)
            task = task[:1].upper() + task[1:]
        phrase_start = _phrase_start(text, cue_start, m.start(), kind)
        out.append(Deadline(due, precision, kind, task, agency, phrase_start, m.end()))
    return _dedupe(out)


def _classify(
    text: str, m: re.Match[str], head: str, clause: tuple[int, int], sent: tuple[int, int]
) -> tuple[str, str, int] | None:
    """(kind, mode, cue start) when the date is a deadline or effective date, else None."""
    base = m.start() - len(head)
    eff = _EFFECTIVE_CUE.search(head)
    if eff:
        return "effective", "effective", base + eff.start()
    cue = _CUE.search(head)
    loose = None if cue else _LOOSE_CUE.search(head)
    if loose:
        cue_start = base + loose.end()
        mode, weak = "end", True
    elif cue:
        cue_start = base + cue.start()
        prep = (cue["l_prep"] or cue["d_prep"] or "").lower()
        mode = "before" if (cue["before"] or prep == "trước") and not cue["end_of"] else "end"
        weak = bool(cue["within"] or cue["until"])
    else:
        return None
    segment_start = max(clause[0], text.rfind(",", clause[0], cue_start) + 1)
    if _PAST_BEFORE.search(text, segment_start, cue_start):
        return None
    tail_end = min(clause[1], m.end() + 50)
    cut = re.search(r"[.;]|\s(?:để|nhằm)\s", text[m.end() : tail_end])
    if cut:
        tail_end = m.end() + cut.start()
    if _PAST_AFTER.search(text, m.end(), tail_end):
        return None
    if weak:
        if not _is_obligation(text, sent, cue_start, m.end()):
            return None
        seg = text[segment_start:cue_start]
        fronted = not _BULLET.sub("", text[clause[0] : cue_start], count=1).strip()
        if not fronted and not loose and not _ACTION.search(seg):
            return None
    return "deadline", mode, cue_start


_CUE_WORDS = re.compile(
    r"(?:(?:thời\s+gian|thời\s+hạn|tiến\s+độ)[^:]*:\s*|(?:hoàn\s+thành|hoàn\s+tất|xong|kết\s+thúc)"
    r"(?:\s+việc)?\s+)",
    _I,
)


def _phrase_start(text: str, cue_start: int, date_start: int, kind: str) -> int:
    """Start of the timing phrase: the preposition, not the verb ("hoàn thành" stays out)."""
    if kind == "effective":
        rel = re.search(r"(?:kể\s+)?(?:từ|vào)\s+$", text[cue_start:date_start], _I)
        return cue_start + rel.start() if rel else cue_start
    m = _CUE_WORDS.match(text, cue_start)
    if m and m.end() <= date_start:
        return m.end()
    return cue_start


def _owner(
    text: str, clause: tuple[int, int], sent: tuple[int, int], cue: int, m: re.Match[str]
) -> str:
    """Who must do it: the clause's subject, the sentence's, or a "chủ trì:" label above."""
    end = m.end()
    ag = _subject(text, clause[0], m.start()) or _subject(text, sent[0], m.start())
    if ag is None:
        fronted = not _BULLET.sub("", text[clause[0] : cue], count=1).strip()
        if fronted:
            ag = _subject(text, end, clause[1])
    if ag is None:
        window = text[max(0, cue - 400) : cue]
        labels = list(re.finditer(r"(?:chủ\s+trì|thực\s+hiện)\s*:\s*", window, _I))
        if labels:
            label = labels[-1]
            a = max(0, cue - 400) + label.end()
            stop = re.search(r"[;.\n]", text[a:cue])
            b = a + stop.start() if stop else cue
            return text[a:b].strip(" ,")[:80]
    return ag.text if ag else ""


_PURPOSE = re.compile(r"^(?:để|nhằm)\s+(?:phục\s+vụ\s+)?(?:(?:triển\s+khai|thi\s+hành)\s+)?", _I)
_ANAPHOR = re.compile(r"(?<!\w)(?:này|nêu\s+trên|trên)(?!\w)", _I)


def _task(
    text: str, clause: tuple[int, int], sent: tuple[int, int], cue: int, end: int, agency: str
) -> str:
    """The clause stating the deadline, cut to what a person needs to act on it."""
    a, b = clause
    fronted = not _BULLET.sub("", text[a:cue], count=1).strip()
    if not fronted:
        cut = re.search(r",\s|\s(?:để|nhằm)\s", text[end:b])
        if cut:
            b = end + cut.start()
    body = _fit(text, a, b, cue, end, agency, TEXT_LIMIT)
    if len(_letters(body)) < 25 and sent[0] < a:
        # "Sở Tư pháp: Rà soát …; thời gian hoàn thành: tháng 6/2024": the task is before ";"
        a = sent[0]
        body = _fit(text, a, b, cue, end, agency, TEXT_LIMIT)
    # "Các bộ, ngành này cần …" points back: the previous sentence says which ones.
    subject_zone = text[a : min(b, a + 80)]
    if (_ANAPHOR.search(subject_zone) or len(_letters(body)) < 25) and sent[0] > 0:
        prev = _bounds(text, max(0, sent[0] - 2), _SENT_END)
        context = text[prev[0] : prev[1]].strip()
        budget = TEXT_LIMIT - len(context) - 1
        if context and budget >= 100:
            body = _fit(text, a, b, cue, end, agency, budget)
            return f"{context} {body}"
    return body


def _letters(s: str) -> str:
    return re.sub(r"[\W\d_]", "", s)


def _fit(text: str, a: int, b: int, cue: int, end: int, agency: str, limit: int) -> str:
    """Keep the date's piece, the subject's piece and the topic; drop middle pieces as needed."""
    a = a + len(_BULLET.match(text, a)[0]) if _BULLET.match(text, a) else a
    whole = text[a:b].strip().rstrip(",;.")
    if len(whole) <= limit:
        return whole
    pieces: list[tuple[int, int]] = []
    start = a
    for m in re.finditer(r",\s", text[a:b]):
        pieces.append((start, a + m.start()))
        start = a + m.end()
    pieces.append((start, b))
    date_i = next(i for i, (s, e) in enumerate(pieces) if s <= cue < e + 2 or s <= end <= e)
    keep = {date_i}
    if agency:
        ag_at = text.find(agency, a, cue)
        if ag_at >= 0:
            ag_end = ag_at + len(agency)
            keep |= {i for i, (s, e) in enumerate(pieces) if s < ag_end + 1 and e > ag_at}

    def size(idx: set[int]) -> int:
        return sum(pieces[i][1] - pieces[i][0] + 2 for i in idx) + 2 * _gaps(idx)

    order = [0] + list(range(date_i - 1, 0, -1))
    for i in order:
        if i not in keep and size(keep | {i}) <= limit:
            keep.add(i)
    if size(keep) > limit:
        tail = text[max(a, end - limit + 2) : end]
        return "…" + tail[tail.find(" ") + 1 :] if " " in tail else tail
    parts: list[str] = []
    prev = -1
    for i in sorted(keep):
        if parts and i != prev + 1:
            parts.append("…")
        parts.append(text[pieces[i][0] : pieces[i][1]].strip().rstrip(".;"))
        prev = i
    return _join(parts)


def _gaps(idx: set[int]) -> int:
    s = sorted(idx)
    return sum(1 for x, y in zip(s, s[1:], strict=False) if y != x + 1)


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if not out:
            out = p
        elif p == "…" or out.endswith("…"):
            out = f"{out} {p}"
        else:
            out = f"{out}, {p}"
    return out


def _dedupe(items: list[Deadline]) -> list[Deadline]:
    seen: set[tuple[date, str, int]] = set()
    out = []
    for d in items:
        key = (d.due, d.kind, d.end)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
