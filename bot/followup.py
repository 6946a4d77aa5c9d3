"""Follow-up questions within one chat: "khi nào phải xong?", "còn Bộ Tư pháp thì sao?".

People ask a question, then a short one that only makes sense with it. A message refers
back when it starts with a cue ("còn …", "thế còn …", "vậy …", "riêng …"), ends with one
("… thì sao?"), or is a bare question about the same topic ("khi nào?", "ai chủ trì?",
"khi nào phải xong?": question words and generic predicates only, nothing that names a
topic). Such a message, sent within FOLLOW_UP_WINDOW of the previous question, is answered
as the previous question's content words plus its own; any other message is a question
of its own and is never merged.

Pure functions: the conversation core keeps the last topic per chat and the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import fold, match_form

FOLLOW_UP_WINDOW = 10 * 60  # seconds
MAX_FOLLOW_UP_WORDS = 10  # a longer message says enough to stand alone
MAX_BARE_WORDS = 6

_WORD = re.compile(r"\w+")
# Cues at the start ("còn X thì sao", "thế còn X", "vậy X", "riêng X", "đối với X thì sao").
_LEAD = re.compile(
    r"^(?:(?:the|vay|con) con|con ve|con doi voi|con voi|con|the thi|vay thi|vay|the|rieng|"
    r"doi voi|con rieng|the con ve)\b"
)
# Not cues: "còn" meaning "remaining" ("còn bao nhiêu TTHC…"), "thế nào là X".
_STILL = re.compile(
    r"^(?:con (?:bao|may|lai|nhieu|it|thieu|ton|han|chua|phai|duoc|khong)|the nao)\b"
)
_TAIL = re.compile(r"\bthi (?:sao|the nao|nhu the nao|ra sao|nhu nao)(?: nhi| a| vay)?$")
_QUESTION = frozenset(
    "ai gi nao dau sao may bao khi luc nhieu lau the".split()
)  # folded question words ("khi nào", "bao giờ", "ở đâu", "mấy", "bao lâu", "thế nào")
# Words that say what is asked about a topic without naming one.
_GENERIC = frozenset(
    """
    la co phai duoc can se da dang xong hoan thanh het han chot thoi cuoi chu tri phu trach
    thuc hien lam trach nhiem phoi hop giao nhiem vu ket qua tien do cu the noi dung muc tieu
    con khong vay the nhi a oi nhe roi chua bat dau tu den truoc sau ngay thang nam quy gio
    o tai dau o voi cho ve bao gom gom nhung cac mot nua them ra lau
    """.split()
)


# An agency named in a question: a head word and the capitalised words after it
# ("Bộ TT&TT", "Sở Tư pháp", "UBND tỉnh Đồng Nai"). "còn Bộ Tư pháp thì sao?" asks the
# previous question about another agency: its agency gives way to the new one.
_AGENCY = re.compile(
    r"\b(?:Bộ|Sở|Cục|Tổng cục|Văn phòng|Ủy ban|Uỷ ban|UBND|HĐND|Công an|Ngân hàng|Ban|"
    r"Tổ công tác|Phòng)(?:\s+(?:tỉnh|thành phố|huyện|quận))?(?:\s+[A-ZĐÀ-Ỹ0-9][^\s,.;:?!()]*)+"
)


@dataclass(frozen=True)
class Topic:
    """The previous question of a chat, as far as a follow-up needs it."""

    question: str  # as asked (shown in "Tiếp câu hỏi trước: …")
    content: str  # its content words (match form), carried into a follow-up
    timing: bool  # a "when" question: a follow-up without question words asks when too
    at: float  # when it was asked (the core's clock, seconds)

    @property
    def agencies(self) -> list[str]:
        return agencies(self.question)


def agencies(text: str) -> list[str]:
    """The agencies a text names, in match form ("bộ tt&tt")."""
    return [" ".join(m[0].lower().split()) for m in _AGENCY.finditer(text)]


def merged_question(text: str, topic: Topic | None, now: float) -> str | None:
    """The question to answer when `text` follows up on `topic`, else None."""
    if topic is None or not topic.content or now - topic.at > FOLLOW_UP_WINDOW:
        return None
    words = _WORD.findall(text)
    folded = " ".join(fold(w).lower() for w in words)
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return None
    lead = None if _STILL.match(folded) else _LEAD.match(folded)
    tail = _TAIL.search(folded)
    if not (lead or tail or _bare(words, folded)):
        return None
    own = _strip_cues(text, lead.end() if lead else 0, tail.start() if tail else None)
    asks = any(fold(w).lower() in _QUESTION for w in _WORD.findall(own))
    if topic.timing and not (asks and not tail):
        own = f"{own} khi nào".strip()
    content = topic.content
    if agencies(own):  # "còn Bộ Tư pháp thì sao?": the same question about another agency
        for agency in topic.agencies:
            content = " ".join(content.replace(match_form(agency), " ").split())
    return f"{content} {own}".strip()


def _bare(words: list[str], folded: str) -> bool:
    """A short question with question words and generic predicates only ("ai chủ trì?")."""
    tokens = folded.split()
    if len(tokens) > MAX_BARE_WORDS or not any(t in _QUESTION for t in tokens):
        return False
    named = any(
        any(c.isdigit() for c in w) or (w[:1].isupper() and i > 0) or (len(w) > 1 and w.isupper())
        for i, w in enumerate(words)
    )
    return not named and all(t in _QUESTION or t in _GENERIC for t in tokens)


def _strip_cues(text: str, lead_end: int, tail_start: int | None) -> str:
    """The message without its cue words, as typed (cut by folded word positions)."""
    words = _WORD.findall(text)
    folded = [fold(w).lower() for w in words]
    # positions in the folded, space-joined string -> word indices
    at, keep = 0, []
    for w, f in zip(words, folded, strict=True):
        start = at
        at += len(f) + 1
        if start < lead_end:
            continue
        if tail_start is not None and start >= tail_start:
            break
        keep.append(w)
    return " ".join(keep)
