"""Dated commitments in a passage of prose: what is due, by whom, and by when.

News about the plans is full of dates that only report what happened ("Ngày 09/02/2023,
Bộ Tư pháp đã ban hành…", "Sáng 25-12", datelines), so in prose a date alone is never a
deadline: it needs a deadline cue right before it and a clause that reads as an
obligation rather than a report. Recurring ("Hằng quý tổng hợp…", "báo cáo định kỳ 6
tháng") and ongoing ("…, thực hiện thường xuyên") shapes count only in clauses that assign
work, so "Bộ thường xuyên kiểm tra…" or "hằng năm tỉnh đã…" stay out. The lead is the
clause's own subject, else the agency heading the passage sits under (`section_lead`);
agencies after "phối hợp với" are partners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.deadlines.agencies import partners_in, subject
from index.deadlines.dates import (
    LOOKBACK,
    DateExpr,
    context_year,
    find_dates,
    find_relative,
    relative_due,
    resolve,
)
from index.deadlines.record import TEXT_LIMIT, Deadline
from index.deadlines.recurrence import (
    find_ongoing,
    find_recurrences,
    next_occurrence,
    period_precision,
)

__all__ = ["extract_deadlines", "ACTION", "BULLET"]

_I = re.IGNORECASE
_IX = re.IGNORECASE | re.VERBOSE

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
# "trước ngày 15/6/2025 và 15/12/2025": the second date shares the first one's cue.
_AND = re.compile(r"\s*(?:,\s*và|,|và|hoặc)\s*")
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
    "khai thác|sử dụng|chuẩn hóa|chuẩn hoá|phổ biến|ký ban hành|trình ký|hỗ trợ|kích hoạt|"
    "theo dõi|giám sát|đôn đốc|rà soát|họp|giao ban|duy trì|quản lý|đối chiếu|thống kê"
)
ACTION = re.compile(rf"(?<!\w)(?:{_ACTION_WORDS})(?!\w)", _I)
BULLET = re.compile(r"\s*(?:[-+•*–]+|\(?\d+(?:\.\d+)*[.)]|\(?[a-zđ][.)]|Điều\s+\d+[.:])?\s*", _I)
# "…, thực hiện thường xuyên" / "Thời gian: thường xuyên": continuing work as the task's time.
_ONGOING_VERB = re.compile(
    r"(?<!\w)(?:thực\s+hiện|triển\s+khai|tiến\s+hành|duy\s+trì|làm|cập\s+nhật)\s+$", _I
)
_ONGOING_LABEL = re.compile(
    r"(?<!\w)(?:thời\s+gian|thời\s+hạn|tiến\s+độ)(?:\s+[^\s,;:.]+){0,3}?\s*:\s*$", _I
)
_CLAUSE_TAIL = re.compile(r"\s*[.;,]?\s*$")
_PARTNER_LABEL = re.compile(r"(?:cơ\s+quan|đơn\s+vị)\s+phối\s+hợp\s*:", _I)

# --- sentence and clause boundaries -----------------------------------------------------------

_SENT_END = re.compile(r"\n|(?<=[.!?…])\s+(?=[\"“(\-–•+*\d]|[^\W\d_])")
_CLAUSE_END = re.compile(r"\n|;|(?<=[.!?…])\s+(?=[\"“(\-–•+*\d]|[^\W\d_])")
_BULLET_ONLY = re.compile(
    r"\s*(?:\d+(?:\.\d+)*|[a-zđ]|[IVX]+|Điều\s+\d+|Chương\s+[IVX\d]+|Mục\s+\d+)[.)]", _I
)


def _is_break(text: str, m: re.Match[str]) -> bool:
    """A sentence boundary, unless it is the space after a list number ("2. Sở Tư pháp")."""
    if "\n" in m[0]:
        return True
    line_start = text.rfind("\n", 0, m.start()) + 1
    return _BULLET_ONLY.fullmatch(text, line_start, m.start()) is None


def _bounds(text: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    lo = max(0, pos - LOOKBACK)
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


# --- the extractor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Passage:
    text: str
    default_year: int | None
    doc_date: date | None
    section_lead: str

    def anchor(self) -> date:
        """The day recurring work is first counted from: the document's date, else its year."""
        if self.doc_date:
            return self.doc_date
        if self.default_year:
            return date(self.default_year, 1, 1)
        return date.today()  # no date anywhere: only the stored first occurrence depends on it


def extract_deadlines(
    text: str, *, default_year: int | None, doc_date: date | None = None, section_lead: str = ""
) -> list[Deadline]:
    """Every deadline, effective date, recurring and ongoing task stated in `text` (a
    passage), in text order.

    `default_year` (usually the document's year) dates "ngày 15 tháng 8" when neither the
    sentence nor the passage before it names a year; without any year the date is skipped.
    `doc_date` (the document's own date) dates "kể từ ngày ký" and "trong thời hạn 30 ngày kể
    từ ngày ký"; `section_lead` is the agency of the heading the passage sits under.
    """
    p = _Passage(text, default_year, doc_date, section_lead.strip())
    taken: list[tuple[int, int]] = []
    out = _recurring(p, taken) + _ongoing(p, taken)
    if doc_date is not None:
        out += _relative(p, taken)
    out += _dated(p, taken)
    out.sort(key=lambda d: (d.start, d.end))
    return _dedupe(out)


def _overlaps(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(x < b and a < y for x, y in taken)


def _people(
    p: _Passage, clause: tuple[int, int], sent: tuple[int, int], cue: int, a: int, b: int
) -> tuple[str, tuple[str, ...]]:
    """Lead and partners of the task whose timing phrase is text[a:b]."""
    text = p.text
    agency = _owner(text, clause, sent, cue, a, b) or p.section_lead
    partners = partners_in(text, *clause, lead=agency) or partners_in(text, *sent, lead=agency)
    if not partners:
        # "Cơ quan phối hợp: …" on a line of its own above "Thời gian hoàn thành: …"
        label = list(_PARTNER_LABEL.finditer(text, max(0, cue - 400), cue))
        if label:
            partners = partners_in(text, label[-1].start(), cue, lead=agency)
    return agency, tuple(partners)


def _fronted(text: str, clause: tuple[int, int], pos: int) -> bool:
    """Nothing but a bullet stands between the clause start and `pos`."""
    return not BULLET.sub("", text[clause[0] : pos], count=1).strip()


def _recurring(p: _Passage, taken: list[tuple[int, int]]) -> list[Deadline]:
    text, out = p.text, []
    for span in find_recurrences(text):
        # A rule's day ("trước ngày 15/12 hằng năm") is never a one-off date, assigned or not.
        taken.append((span.start, span.end))
        sent = _bounds(text, span.start, _SENT_END)
        clause = _bounds(text, span.start, _CLAUSE_END)
        if clause[1] < span.end or _PAST_BEFORE.search(text, *clause):
            continue
        before, after = text[clause[0] : span.start], text[span.end : clause[1]]
        if _fronted(text, clause, span.start):
            # "- Hằng quý tổng hợp …": the imperative line of a plan
            assigns = bool(
                ACTION.match(after.lstrip(" ,:"))
                or _MODAL.search(after)
                or ((span.dated or p.section_lead) and ACTION.search(after))
            )
        else:
            # "… báo cáo UBND tỉnh hằng quý": the rule qualifies a verb of the task
            assigns = bool(ACTION.search(before)) and (
                span.dated
                or bool(p.section_lead)
                or _is_obligation(text, sent, span.start, span.end)
            )
        if not assigns:
            continue
        agency, partners = _people(p, clause, sent, span.start, span.start, span.end)
        task = _task(text, clause, sent, span.start, span.end, agency)
        anchor = p.anchor()
        for rule in span.rules:
            due = next_occurrence(rule, anchor)
            precision = period_precision(rule)
            out.append(
                Deadline(due, precision, "recurring", task, agency, span.start, span.end,
                         partners, rule)
            )  # fmt: skip
    return out


def _ongoing(p: _Passage, taken: list[tuple[int, int]]) -> list[Deadline]:
    text, out = p.text, []
    for m in find_ongoing(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        sent = _bounds(text, m.start(), _SENT_END)
        clause = _bounds(text, m.start(), _CLAUSE_END)
        if clause[1] < m.end() or _PAST_BEFORE.search(text, *clause):
            continue
        before, after = text[clause[0] : m.start()], text[m.end() : clause[1]]
        cue = m.start()
        if _fronted(text, clause, m.start()):
            assigns = bool(ACTION.match(after.lstrip(" ,:")))  # "- Thường xuyên kiểm tra …"
        elif label := _ONGOING_LABEL.search(before):
            assigns, cue = True, clause[0] + label.start()
        elif _ONGOING_VERB.search(before) or (
            _CLAUSE_TAIL.fullmatch(after) and before.rstrip().endswith(",")
        ):
            assigns = bool(ACTION.search(before)) and (
                bool(p.section_lead) or _is_obligation(text, sent, m.start(), m.end())
            )
        else:
            assigns = False  # "Bộ thường xuyên kiểm tra …": an adverb in a report
        if not assigns:
            continue
        taken.append((m.start(), m.end()))
        agency, partners = _people(p, clause, sent, cue, m.start(), m.end())
        task = _task(text, clause, sent, cue, m.end(), agency)
        out.append(Deadline(None, "none", "ongoing", task, agency, m.start(), m.end(), partners))
    return out


def _relative(p: _Passage, taken: list[tuple[int, int]]) -> list[Deadline]:
    """Dates counted from the document's own date ("có hiệu lực kể từ ngày ký")."""
    assert p.doc_date is not None
    text, out = p.text, []
    for r in find_relative(text):
        sent = _bounds(text, r.cue, _SENT_END)
        clause = _bounds(text, r.cue, _CLAUSE_END)
        if _PAST_BEFORE.search(text, clause[0], r.cue):
            continue
        taken.append((r.cue, r.end))
        due = relative_due(p.doc_date, r)
        if r.effective:
            task = _effective_task(text, clause, sent, r.cue, r.end)
            out.append(Deadline(due, "day", "effective", task, "", r.start, r.end))
            continue
        agency, partners = _people(p, clause, sent, r.cue, r.start, r.end)
        task = _task(text, clause, sent, r.cue, r.end, agency)
        out.append(Deadline(due, "day", "deadline", task, agency, r.start, r.end, partners))
    return out


@dataclass(frozen=True)
class _Accepted:
    end: int
    kind: str
    mode: str
    cue: int


def _dated(p: _Passage, taken: list[tuple[int, int]]) -> list[Deadline]:
    text, out = p.text, []
    prev: _Accepted | None = None
    for e in find_dates(text):
        if _overlaps(taken, e.start, e.end):
            continue
        sent = _bounds(text, e.start, _SENT_END)
        clause = _bounds(text, e.start, _CLAUSE_END)
        if clause[1] < e.end:
            continue
        head = text[max(clause[0], e.start - 80) : e.start]
        found = _classify(p, e, head, clause, sent)
        shared = found is None and prev is not None and _AND.fullmatch(text, prev.end, e.start)
        if shared:
            assert prev is not None
            found = (prev.kind, prev.mode, prev.cue)
        if found is None:
            continue
        kind, mode, cue_start = found
        year = e.year
        if year is None:
            year = context_year(text, e.start, sent, p.default_year)
            if year is None:
                continue
        if e.since is not None and mode == "before":
            mode = "end"  # "trước 2025 - 2027" still means by the end of the range
        due = resolve(e.precision, e.index, year, mode)
        if due is None:
            continue
        prev = _Accepted(e.end, kind, mode, cue_start)
        phrase_start = e.start if shared else _phrase_start(text, cue_start, e.start, kind)
        if kind == "effective":
            task = _effective_task(text, clause, sent, cue_start, e.end)
            out.append(Deadline(due, e.precision, kind, task, "", phrase_start, e.end))
            continue
        agency, partners = _people(p, clause, sent, cue_start, e.start, e.end)
        task = _task(text, clause, sent, cue_start, e.end, agency)
        out.append(Deadline(due, e.precision, kind, task, agency, phrase_start, e.end, partners))
    return out


def _is_obligation(text: str, sent: tuple[int, int], cue_start: int, after_end: int) -> bool:
    """A weak cue ("trong quý I") counts only in a clause that assigns work."""
    before = text[sent[0] : cue_start]
    if _MODAL.search(before):
        return True
    stripped = BULLET.sub("", before, count=1)
    if ACTION.match(stripped) and stripped[:1].isupper():
        return True  # imperative line in a plan: "- Xây dựng …, hoàn thành trong quý II"
    if subject(text, sent[0], cue_start) is not None:
        return True
    # time-fronted: "Trong quý II/2024, Bộ Công an chủ trì …"
    if not stripped.strip():
        rest = text[after_end : sent[1]]
        return bool(_MODAL.search(rest) or subject(text, after_end, sent[1]))
    return False


def _classify(
    p: _Passage, e: DateExpr, head: str, clause: tuple[int, int], sent: tuple[int, int]
) -> tuple[str, str, int] | None:
    """(kind, mode, cue start) when the date is a deadline or effective date, else None."""
    text = p.text
    base = e.start - len(head)
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
    tail_end = min(clause[1], e.end + 50)
    cut = re.search(r"[.;]|\s(?:để|nhằm)\s", text[e.end : tail_end])
    if cut:
        tail_end = e.end + cut.start()
    if _PAST_AFTER.search(text, e.end, tail_end):
        return None
    if weak:
        if not (p.section_lead or _is_obligation(text, sent, cue_start, e.end)):
            return None
        seg = text[segment_start:cue_start]
        fronted = _fronted(text, clause, cue_start)
        if not fronted and not loose and not ACTION.search(seg):
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
    text: str, clause: tuple[int, int], sent: tuple[int, int], cue: int, start: int, end: int
) -> str:
    """Who must do it: the clause's subject, the sentence's, or a "chủ trì:" label above."""
    ag = subject(text, clause[0], start) or subject(text, sent[0], start)
    if ag is None and _fronted(text, clause, cue):
        ag = subject(text, end, clause[1])
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


def _effective_task(
    text: str, clause: tuple[int, int], sent: tuple[int, int], cue: int, end: int
) -> str:
    # "Quyết định này" names the document itself: no earlier sentence is needed to say which.
    task = _PURPOSE.sub("", _task(text, clause, sent, cue, end, "", context=False), count=1)
    return task[:1].upper() + task[1:]


def _task(
    text: str,
    clause: tuple[int, int],
    sent: tuple[int, int],
    cue: int,
    end: int,
    agency: str,
    *,
    context: bool = True,
) -> str:
    """The clause stating the deadline, cut to what a person needs to act on it."""
    a, b = clause
    if not _fronted(text, clause, cue):
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
    if context and (_ANAPHOR.search(subject_zone) or len(_letters(body)) < 25) and sent[0] > 0:
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
    a = a + len(BULLET.match(text, a)[0]) if BULLET.match(text, a) else a
    whole = text[a:b].strip().rstrip(",;.")
    if len(whole) <= limit:
        return whole
    pieces: list[tuple[int, int]] = []
    start = a
    for m in re.finditer(r",\s", text[a:b]):
        pieces.append((start, a + m.start()))
        start = a + m.end()
    pieces.append((start, b))
    date_i = next(
        (i for i, (s, e) in enumerate(pieces) if s <= cue < e + 2 or s <= end <= e),
        len(pieces) - 1,
    )
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
    seen: set[tuple[date | None, str, int, object]] = set()
    out = []
    for d in items:
        key = (d.due, d.kind, d.end, d.recurrence)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
