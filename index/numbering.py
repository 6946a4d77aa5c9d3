"""Vietnamese section numbering: "PHỤ LỤC", "Chương II", "Điều 3.", "II.", "A.", "1.", "1.2.", "a)".

Plans and decisions number their sections the same way everywhere (see DOMAIN.md), and the
numbering says how deep a section sits, whichever format or styles the author used. `rank`
orders the kinds from outermost to innermost so the structure pass can nest them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RANKS = {
    "appendix": 0,
    "part": 1,
    "chapter": 2,
    "section": 3,
    "article": 4,
    "roman": 5,
    "letter": 6,
    "number": 7,
    "sub": 8,  # 1.1, 1.1.1: deeper by one per dot
    "alpha": 12,
}


@dataclass(frozen=True)
class Numbering:
    kind: str
    number: str  # as a citation writes it: "II", "Điều 3", "Phụ lục II", "1.2", "a"
    rest: str  # the heading's own words after the number ("NHIỆM VỤ CỤ THỂ")
    rank: int


_NAMED = re.compile(
    r"^(?P<word>PHỤ\s+LỤC|Phụ\s+lục|PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục|ĐIỀU|Điều)"
    r"(?:\s+(?P<n>[IVXLC]+|\d+[a-z]?))?(?=[\s.:\-–]|$)[\s.:\-–]*(?P<rest>.*)$"
)
_ROMAN = re.compile(r"^(?P<n>[IVXLC]{1,6})\s*[.)]\s+(?P<rest>\S.*)$")
_LETTER = re.compile(r"^(?P<n>[A-ZĐ])\s*[.)]\s+(?P<rest>\S.*)$")
_NUMBER = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s*(?P<rest>\S.*)$")
_SUB = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})+)\s+(?P<rest>[^\d\s].*)$")
_ALPHA = re.compile(r"^(?P<n>[a-zđ])\s*\)\s*(?P<rest>\S.*)$")
_KINDS = {"phụ lục": "appendix", "phần": "part", "chương": "chapter", "mục": "section"}
_KINDS["điều"] = "article"
BULLET = re.compile(r"^\s*[-–+•*▪●○◦]\s*")


def parse_numbering(text: str) -> Numbering | None:
    """The section number a line starts with, or None (bullets are not section numbers)."""
    text = text.strip()
    m = _NAMED.match(text)
    if m:
        word = re.sub(r"\s+", " ", m["word"]).lower()
        kind = _KINDS[word]
        if kind != "appendix" and not m["n"]:
            return None  # "Mục tiêu", "Phần lớn": a word, not a number
        label = word.capitalize() + (f" {m['n']}" if m["n"] else "")
        return Numbering(kind, label, m["rest"].strip(), RANKS[kind])
    for pattern, kind in ((_ROMAN, "roman"), (_LETTER, "letter"), (_ALPHA, "alpha")):
        m = pattern.match(text)
        if m and not (kind == "roman" and m["n"] in ("C", "L") and m["rest"][:1].islower()):
            return Numbering(kind, m["n"], m["rest"].strip(), RANKS[kind])
    m = _SUB.match(text) or _NUMBER.match(text)
    if m:
        depth = m["n"].count(".")
        kind = "sub" if depth else "number"
        if _looks_like_date_or_amount(text):
            return None
        return Numbering(kind, m["n"], m["rest"].strip(), RANKS[kind] + max(0, depth - 1))
    return None


def _looks_like_date_or_amount(text: str) -> bool:
    """"15.3.2025 …", "1.200 hồ sơ …": numbers, not section numbers."""
    return bool(re.match(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}|^\d{1,3}\.\d{3}\b", text))


def short_reference(numbers: list[tuple[str, str]]) -> str:
    """A section path as a citation says it: "Phụ lục, mục II.3", "Điều 2", "Chương I, Điều 4".

    `numbers` is (kind, number) from outermost to innermost. Named levels are kept by name;
    the numbered ones below them are chained with dots, a "1.2" under "1" not repeating it.
    """
    named: list[str] = []
    chain: list[str] = []
    for kind, number in numbers:
        if kind in ("appendix", "part", "chapter", "section", "article"):
            if chain:
                named.append("mục " + ".".join(chain))
                chain = []
            named.append(number)
        elif number:
            if chain and number.startswith(chain[-1] + "."):
                chain[-1] = number
            else:
                chain.append(number)
    if chain:
        named.append("mục " + ".".join(chain))
    return ", ".join(named)
