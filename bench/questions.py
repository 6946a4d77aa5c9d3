"""Deterministic benchmark questions, shaped like what officials actually type.

Most are built from the shipped sentences (a stretch of content words plus a question
tail), so they hit the knowledge base; the rest are the same questions typed without
diacritics, with abbreviations, as "when" questions (the deadline path), or off-topic
chatter that must find nothing. The set does not depend on N: every size answers the
same questions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from bench.synth import MINISTRIES, PROVINCES, SEED, abbreviations, source_sentences
from index.normalize import fold

KINDS = ("accented", "unaccented", "abbreviated", "timing", "off-topic")
_SHARES = (0.35, 0.2, 0.2, 0.15, 0.1)
_TAILS = ("như thế nào?", "ra sao?", "là gì?", "gồm những gì?", "thế nào?", "", "?")
_LEADS = ("", "", "Cho tôi hỏi ", "Xin hỏi ", "Anh chị cho biết ", "Tình hình ")
_TIMING = (
    "{x} khi nào?", "Hạn chót {x} là ngày nào?", "{x} trước ngày nào?",
    "Bao giờ {x}?", "Thời hạn {x}?", "{x} có hiệu lực từ ngày nào?",
)  # fmt: skip
_OFF_TOPIC = (
    "giá vàng hôm nay bao nhiêu", "thời tiết {p} ngày mai thế nào", "cách nấu phở bò",
    "kết quả bóng đá tối qua", "tỷ giá đô la hôm nay", "mua vé máy bay đi {p}",
    "công thức làm bánh mì", "lịch chiếu phim cuối tuần", "xin chào", "cảm ơn bạn nhiều",
    "chỗ nào bán điện thoại rẻ", "giá xăng tuần này", "bạn tên là gì", "hôm nay thứ mấy",
    "tai nghe bluetooth nào tốt", "quán cà phê đẹp ở {p}",
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Question:
    kind: str
    text: str


def _stretch(rng: random.Random, sentence: str) -> str:
    """Three to eight consecutive words of a sentence: what someone remembers of it."""
    words = _WORD.findall(sentence)
    if len(words) <= 4:
        return " ".join(words)
    n = rng.randint(3, min(8, len(words)))
    start = rng.randrange(0, len(words) - n + 1)
    return " ".join(words[start : start + n])


def _abbreviate(text: str, pairs: list[tuple[str, str]]) -> str:
    lowered = text
    for long, short in pairs:
        for form in (long, long.lower()):
            if form in lowered:
                lowered = lowered.replace(form, short)
    return lowered


def _around_abbreviation(rng: random.Random, sentence: str, pairs: list[tuple[str, str]]) -> str:
    """A few words of the sentence around one of its abbreviations."""
    shorts = {short for _, short in pairs}
    words = sentence.split()
    at = [i for i, w in enumerate(words) if w.strip(',.;:()“”"') in shorts] or [0]
    i = rng.choice(at)
    lo, hi = max(0, i - rng.randint(1, 4)), i + rng.randint(1, 4)
    return " ".join(w.strip(',.;:()“”"') for w in words[lo:hi])


def generate_questions(n: int, *, seed: int = SEED) -> list[Question]:
    rng = random.Random(seed * 7919)
    sentences = source_sentences()
    pairs = abbreviations()
    with_abbr = [s for s in sentences if any(long.lower() in s.lower() for long, _ in pairs)]
    out: list[Question] = []
    for _ in range(n):
        kind = rng.choices(KINDS, weights=_SHARES)[0]
        if kind == "off-topic":
            text = rng.choice(_OFF_TOPIC).format(p=rng.choice(PROVINCES))
        elif kind == "timing":
            x = _stretch(rng, rng.choice(sentences))
            if rng.random() < 0.3:
                x = f"{rng.choice(MINISTRIES)} {x}"
            text = rng.choice(_TIMING).format(x=x)
        elif kind == "abbreviated":
            text = _around_abbreviation(rng, _abbreviate(rng.choice(with_abbr), pairs), pairs)
            text = f"{rng.choice(_LEADS)}{text} {rng.choice(_TAILS)}".strip()
        else:
            text = (
                f"{rng.choice(_LEADS)}{_stretch(rng, rng.choice(sentences))} {rng.choice(_TAILS)}"
            )
            text = text.strip()
            if kind == "unaccented":
                text = fold(text).lower()
        out.append(Question(kind, text))
    return out
