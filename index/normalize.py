"""One normalisation for documents and questions, so that what people type matches.

Display text keeps its letters and curly quotes (`normalize_text`); matching uses
`match_form` on top of it, which also unifies old/new tone-mark placement
("hóa" ≡ "hoá", "thủy" ≡ "thuỷ"), and `fold` strips diacritics entirely for people
who type without them ("bo tu phap" ≡ "Bộ Tư pháp").
"""

from __future__ import annotations

import re
import unicodedata

# Spaces people never mean as anything but a space: NBSP, thin/figure spaces, ideographic.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Invisible characters that split words for no reason (zero-width, BOM, soft hyphen).
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE_RUNS = re.compile(r"[ ]{2,}")
# Half of a UTF-16 pair on its own (JSON may carry one): not a character, and no encoder
# (nor the segmenter) accepts it.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Any character the substitutions below act on: most text has none, and one scan of one
# character class is far cheaper than five substitutions (runs of spaces: `in`).
_ANY_ODD = re.compile(
    "["
    + "".join(p.pattern[1:-1] for p in (_ODD_SPACES, _INVISIBLE, _CONTROL, _LONE_SURROGATE))
    + "\r]"
)

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# Old style puts the tone on the first vowel of an open "oa/oe/uy" ("hóa", "thủy");
# new style puts it on the second ("hoá", "thuỷ"). We move it to the second.
_OLD_TONE = re.compile(
    rf"(?:([oO])([{_TONES}])([aAeE])|([uU])([{_TONES}])([yY]))(?![\w\u0300-\u036f])"
)


def normalize_text(text: str) -> str:
    """NFC, odd spaces folded to ' ', invisible and control characters dropped.

    Line breaks are kept: paragraph structure matters to the passage splitter.
    """
    if "  " not in text and _ANY_ODD.search(text) is None:
        return unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    text = _SPACE_RUNS.sub(" ", text)
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def unify_tones(text: str) -> str:
    """Old and new tone-mark placement give the same string (new style, NFC)."""
    nfd = unicodedata.normalize("NFD", text)
    moved = _OLD_TONE.sub(lambda m: m[1] + m[3] + m[2] if m[1] else m[4] + m[6] + m[5], nfd)
    return unicodedata.normalize("NFC", moved)


# Where an old-style tone placement ("hóa", "thủy") may be: only then is unify_tones needed.
_MAYBE_OLD_TONE = re.compile(r"[òóỏõọ][ae]|[ùúủũụ]y", re.IGNORECASE)


def passage_match_form(text: str) -> str:
    """match_form for text that is already normalised (passages are, at ingest); the tone
    unification (two Unicode normalisations) only runs where it could change something."""
    lower = text.lower()
    return unify_tones(lower) if _MAYBE_OLD_TONE.search(lower) else lower


def match_form(text: str) -> str:
    """The form used for matching: normalised, tone placement unified, lower case."""
    return unify_tones(normalize_text(text)).lower()


def _fold_slow(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in nfd if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


# Precomposed Latin letters → base letter, as a list indexed by code point: one
# str.translate instead of NFD per call, and a list lookup is twice as fast as a dict.
_FOLD_TABLE = [
    _fold_slow(chr(cp)) if 0x00C0 <= cp and _fold_slow(chr(cp)) != chr(cp) else cp
    for cp in range(0x1EFA)
]
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Strip every diacritic (and đ → d): what people type on a phone in a hurry."""
    if text.isascii():
        return text
    out = text.translate(_FOLD_TABLE)
    if out.isascii():  # the usual case: no combining mark can be left
        return out
    return _fold_slow(out) if _COMBINING.search(out) else out


def has_diacritics(text: str) -> bool:
    return fold(text) != text
