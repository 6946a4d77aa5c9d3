"""Page chrome that is not a passage: captions, language switches, "Tin xem nhiều", a title
or date line repeated at the top, a lead paragraph printed twice.

Articles copied from news sites carry these; answered as if they were content they push
real answers down ("Đề án 06 là gì?" answered with the title and its date line) and they
fill snippets with "Ảnh: K.Liễu". Dropping happens at ingest, when paragraphs are cut into
passages: the files in `knowledge/` stay as they are.

Pure: paragraphs and the document's title in, the indices of paragraphs to drop out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.normalize import fold

# A photo caption: "… Ảnh: K.Liễu", "(Ảnh: TTXVN)", "Ảnh minh họa".
_CAPTION = re.compile(
    r"(?:^|[\s(.])(?:ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ)\s*:\s*[^:;]{1,40}\)?\s*\.?$"
    r"|^\(?ảnh minh h[oọ][aạ]\)?\.?$",
    re.IGNORECASE,
)
MAX_CAPTION_WORDS = 40
_LANGUAGES = frozenset(
    ("en", "eng", "english", "vi", "vn", "tieng viet", "tieng anh", "en vi", "vi en", "fr")
)
# Headings of the lists of other articles a news page ends with; everything after them
# is more of the same.
_RELATED = re.compile(
    r"^(?:tin xem nhieu|tin doc nhieu|doc nhieu|xem nhieu|tin lien quan|bai viet lien quan|"
    r"tin cung chuyen muc|tin moi|tin moi nhat|tin khac|cac tin khac|bai lien quan|"
    r"doc them|xem them)\b"
)
MAX_TAIL_WORDS = 25  # after "Tin xem nhiều", a paragraph this short is another headline
_MENU = re.compile(r"\s[|»›]\s")  # "Trang chủ | Thời sự | En"
_DATE_LINE = re.compile(
    r"^(?:(?:thứ \w+|chủ nhật|cập nhật|đăng ngày|ngày đăng)[,:]?\s*)?"
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*,?\s*)?(?:ngày\s+)?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"(?:\s*[-,|]?\s*\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*(?:\(gmt\+7\)|gmt\+7))?$",
    re.IGNORECASE,
)
TOP = 6  # the masthead: a title or date line repeated among this many first paragraphs
MIN_REPEAT_WORDS = 8  # a repeated paragraph shorter than this may be a legitimate refrain
MAX_BYLINE_WORDS = 3


def boilerplate(paragraphs: Sequence[str], title: str = "") -> set[int]:
    """Indices of the paragraphs that are page chrome rather than content."""
    drop: set[int] = set()
    keys = [_key(p) for p in paragraphs]
    title_key = _key(title)
    seen: set[str] = set()
    for i, (text, key) in enumerate(zip(paragraphs, keys, strict=True)):
        words = text.split()
        if not words:
            continue
        if (
            _is_caption(text, words)
            or key in _LANGUAGES
            or (_MENU.search(text) and len(words) <= 15 and not text.rstrip().endswith("."))
        ):
            drop.add(i)
        elif _RELATED.match(key):
            drop |= {i} | _headline_tail(paragraphs, i + 1)
        elif key in seen and len(words) >= MIN_REPEAT_WORDS:
            drop.add(i)  # the lead printed twice, verbatim
        seen.add(key)
    drop |= _masthead(paragraphs, keys, title_key)
    drop |= _byline(paragraphs, drop)
    return drop


def _key(text: str) -> str:
    """Comparison form: folded, lower case, words only."""
    return " ".join(re.findall(r"\w+", fold(text).lower()))


def _is_caption(text: str, words: list[str]) -> bool:
    return len(words) <= MAX_CAPTION_WORDS and bool(_CAPTION.search(text.strip()))


def _headline_tail(paragraphs: Sequence[str], start: int) -> set[int]:
    """After a "Tin xem nhiều" heading: the short lines that follow, when nothing but short
    lines follows (a long paragraph after it means the heading was in the middle)."""
    rest = range(start, len(paragraphs))
    if all(len(paragraphs[i].split()) <= MAX_TAIL_WORDS for i in rest):
        return set(rest)
    return set()


def _masthead(paragraphs: Sequence[str], keys: list[str], title_key: str) -> set[int]:
    """At the top: copies of the title, date lines, and the short lines before the title's
    copy (site name, menu)."""
    drop: set[int] = set()
    top = [i for i in range(len(paragraphs)) if paragraphs[i].strip()][:TOP]
    title_at = [i for i in top if title_key and keys[i] == title_key]
    for i in title_at:
        drop.add(i)
    if title_at:
        for i in top:
            if i >= title_at[0]:
                break
            if len(paragraphs[i].split()) <= 6 and not paragraphs[i].rstrip().endswith("."):
                drop.add(i)
    for i in top:
        if _DATE_LINE.match(paragraphs[i].strip()):
            drop.add(i)
    return drop


def _byline(paragraphs: Sequence[str], dropped: set[int]) -> set[int]:
    """The author's name on the last line ("Kim Liễu", "Lê Huy")."""
    kept = [i for i in range(len(paragraphs)) if paragraphs[i].strip() and i not in dropped]
    if len(kept) < 2:
        return set()
    last = kept[-1]
    words = paragraphs[last].split()
    if len(words) <= MAX_BYLINE_WORDS and all(
        w[:1].isupper() and w.replace(".", "").isalpha() for w in words
    ):
        return {last}
    return set()
