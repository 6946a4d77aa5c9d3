"""Word's automatic numbering, computed as Word shows it: "II.", "3.", "1.2.", "a)".

Authors who number headings and items with Word's list feature have numbers that are not in
the paragraph's text at all: the paragraph says which list and level it belongs to (directly
or through its style), and the document's numbering definitions (word/numbering.xml) say, per
level, where counting starts, the format (upperRoman, decimal, lowerLetter…), the pattern
("%1.", "%1.%2.", "%1)") and when a level restarts. This module replays that counting in
document order, so the DOCX reader can put the number back in front of the text and the
structure pass reads "II. NHIỆM VỤ" exactly as typed numbering.

Counting follows Word: lists that share an abstract definition share counters, unless a list
overrides a level's start (a "restart numbering" in Word's menu), which gives it its own;
a level restarts after any level above it is used, unless `lvlRestart` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.oxml.ns import qn

LEVELS = 9


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""  # "%1.", "%1.%2.", "%1)"
    restart: int | None = None  # lvlRestart: 0 never, n after level n (1-based) is used
    legal: bool = False  # isLgl: every number of the pattern shown in decimal
    style: str = ""  # the paragraph style bound to this level (headings: "Heading1")


@dataclass
class _List:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # lvlOverride/startOverride


class Numberer:
    """Labels of numbered paragraphs, called for every paragraph in document order."""

    def __init__(self, document) -> None:
        self._abstracts: dict[str, dict[int, Level]] = {}
        self._lists: dict[str, _List] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._styles = _style_numbering(document)
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                levels[_int(lvl.get(qn("w:ilvl")), 0)] = _level(lvl)
            self._abstracts[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            starts = {}
            for override in num.findall(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    starts[_int(override.get(qn("w:ilvl")), 0)] = _int(start.get(qn("w:val")), 1)
            self._lists[num.get(qn("w:numId"))] = _List(ref.get(qn("w:val")), starts)

    def label(self, paragraph) -> str:
        """The number Word shows before this paragraph ("II.", "1.2.", "a)", "-"), or ""."""
        found = self._numbering_of(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        entry = self._lists.get(num_id)
        levels = self._abstracts.get(entry.abstract) if entry else None
        if entry is None or not levels or ilvl not in levels:
            return ""
        key = f"num{num_id}" if entry.starts else f"abs{entry.abstract}"
        counters = self._counters.get(key)
        if counters is None:
            counters = self._counters[key] = [None] * LEVELS
        level = levels[ilvl]
        start = entry.starts.get(ilvl, level.start)
        counters[ilvl] = start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart and ilvl < restart):
                counters[deeper] = None
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return ""
        return _pattern(level, levels, counters, entry.starts)

    def _numbering_of(self, paragraph) -> tuple[str, int] | None:
        """(list id, level) from the paragraph's own properties, else from its style's."""
        p_pr = paragraph._p.pPr
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        num_id = ilvl = None
        if num_pr is not None:
            num_id, ilvl = _num_pr(num_pr)
        style_id = paragraph._p.style or ""
        if num_id is None:
            inherited = self._styles.get(style_id)
            if inherited is None:
                return None
            num_id, style_ilvl = inherited
            ilvl = ilvl if ilvl is not None else style_ilvl
        if num_id in (None, "0"):
            return None
        if ilvl is None:  # a style bound to a level of the list ("Heading2" → level 1)
            entry = self._lists.get(num_id)
            levels = self._abstracts.get(entry.abstract, {}) if entry else {}
            ilvl = next((i for i, lv in levels.items() if lv.style == style_id), 0)
        return num_id, ilvl


def _style_numbering(document) -> dict[str, tuple[str, int | None]]:
    """Style id → (list id, level or None), following each style's base styles."""
    styles = {}
    try:
        found = document.styles.element.findall(qn("w:style"))
        elements = {s.get(qn("w:styleId")): s for s in found}
    except AttributeError:
        return {}
    for style_id, element in elements.items():
        seen = set()
        current = element
        while current is not None and style_id not in styles:
            ident = current.get(qn("w:styleId"))
            if ident in seen:
                break
            seen.add(ident)
            p_pr = current.find(qn("w:pPr"))
            num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
                if num_id is not None:
                    styles[style_id] = (num_id, ilvl)
                    break
            based = current.find(qn("w:basedOn"))
            current = elements.get(based.get(qn("w:val"))) if based is not None else None
    return styles


def _num_pr(num_pr) -> tuple[str | None, int | None]:
    num = num_pr.find(qn("w:numId"))
    lvl = num_pr.find(qn("w:ilvl"))
    num_id = num.get(qn("w:val")) if num is not None else None
    ilvl = _int(lvl.get(qn("w:val")), 0) if lvl is not None else None
    return num_id, ilvl


def _level(lvl) -> Level:
    def val(tag: str) -> str | None:
        child = lvl.find(qn(tag))
        return child.get(qn("w:val")) if child is not None else None

    p_pr = lvl.find(qn("w:pPr"))
    style = ""
    if lvl.find(qn("w:pStyle")) is not None:
        style = val("w:pStyle") or ""
    elif p_pr is not None and p_pr.find(qn("w:pStyle")) is not None:
        style = p_pr.find(qn("w:pStyle")).get(qn("w:val")) or ""
    restart = val("w:lvlRestart")
    return Level(
        start=_int(val("w:start"), 1),
        fmt=val("w:numFmt") or "decimal",
        text=val("w:lvlText") or "",
        restart=_int(restart, 0) if restart is not None else None,
        legal=lvl.find(qn("w:isLgl")) is not None,
        style=style,
    )


def _pattern(
    level: Level, levels: dict[int, Level], counters: list[int | None], starts: dict[int, int]
) -> str:
    """"%1.%2." with each %n replaced by level n-1's counter in that level's format."""
    out = []
    text = level.text
    i = 0
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text) and text[i + 1].isdigit():
            n = int(text[i + 1]) - 1
            shown = levels.get(n, Level())
            value = counters[n] if 0 <= n < LEVELS and counters[n] is not None else None
            if value is None:
                value = starts.get(n, shown.start)
            out.append(format_number(value, "decimal" if level.legal else shown.fmt))
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out).strip()


_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def format_number(value: int, fmt: str) -> str:
    """A counter in one of Word's formats; an unknown format is shown in decimal, as Word does."""
    if fmt in ("upperRoman", "lowerRoman") and value > 0:
        roman = ""
        for amount, letters in _ROMAN:
            while value >= amount:
                roman += letters
                value -= amount
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
