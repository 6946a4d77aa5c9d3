"""The word lists that shape matching: abbreviations, stop words, synonyms, and the
abbreviations documents define for themselves.

The curated lists are data files in the knowledge base so an admin can extend them and
/reload. Abbreviations and stop words change how passages are analysed, so their
fingerprint is stored and a change re-analyses every passage; synonyms are only used
when a question is read, so a change to them needs no re-analysis.

Documents also teach their own abbreviations: "Cơ sở dữ liệu quốc gia về dân cư
(CSDLQG về dân cư)" or "… tầm nhìn đến năm 2030 (Đề án 06)". `learn_abbreviations`
finds those pairs at reload; questions then reach a passage by either form.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import KnowledgeError
from index.normalize import fold, match_form

ABBREVIATIONS_FILE = "abbreviations.tsv"
STOPWORDS_FILE = "stopwords.txt"
SYNONYMS_FILE = "synonyms.tsv"
# Bumped whenever what a document is analysed into changes (passages, sections, terms, word
# joins), so stores built by an earlier version are re-analysed at the next reload.
ANALYSIS_VERSION = "3"


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[str, str]  # match_form(abbreviation) -> match_form(expansion)
    stopwords: frozenset[str]  # match_form, compounds joined with "_"
    fingerprint: str  # of everything that shapes passage analysis
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of match_form phrases, one meaning
    synonyms_fingerprint: str = ""

    @property
    def folded_stopwords(self) -> frozenset[str]:
        return frozenset(fold(w) for w in self.stopwords)


def load_lexicon(kb_dir: Path) -> Lexicon:
    abbr_text = _read(kb_dir / ABBREVIATIONS_FILE)
    stop_text = _read(kb_dir / STOPWORDS_FILE)
    synonyms_text = _read(kb_dir / SYNONYMS_FILE)
    abbreviations: dict[str, str] = {}
    for n, line in _data_lines(abbr_text):
        short, sep, long = line.partition("\t")
        if not sep or not short.strip() or not long.strip():
            raise KnowledgeError(
                f"{ABBREVIATIONS_FILE} dòng {n}: cần 'viết tắt<TAB>dạng đầy đủ', gặp: {line[:60]!r}"
            )
        abbreviations[match_form(short.strip())] = match_form(long.strip())
    stopwords = frozenset(
        match_form(line.strip()).replace(" ", "_") for _, line in _data_lines(stop_text)
    )
    digest = hashlib.sha256(
        (ANALYSIS_VERSION + "\0" + abbr_text + "\0" + stop_text).encode()
    ).hexdigest()[:16]
    return Lexicon(
        abbreviations,
        stopwords,
        digest,
        _parse_synonyms(synonyms_text),
        hashlib.sha256(synonyms_text.encode()).hexdigest()[:16],
    )


def _parse_synonyms(text: str) -> tuple[tuple[str, ...], ...]:
    groups = []
    for n, line in _data_lines(text):
        phrases = tuple(
            dict.fromkeys(match_form(p.strip()) for p in line.split("\t") if p.strip())
        )
        if len(phrases) < 2:
            raise KnowledgeError(
                f"{SYNONYMS_FILE} dòng {n}: cần ít nhất hai cụm từ cách nhau bằng TAB, "
                f"gặp: {line[:60]!r}"
            )
        groups.append(phrases)
    return tuple(groups)


def _data_lines(text: str):
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield n, line


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"{path.name} phải là UTF-8: {err}") from err


# --- abbreviations a document defines -------------------------------------------------------

_PAREN = re.compile(r"\(([^()\n]{2,60})\)")
_TOKEN = re.compile(r"[\w&-]+")
_ACRONYM = re.compile(r"^[A-ZĐ][A-ZĐ0-9&-]*[A-ZĐ0-9]$")
_WORD = re.compile(r"\w+")
# Words an acronym's letters skip: "Thông tin và Truyền thông" is TT&TT.
_CONNECTORS = frozenset("va cua ve cho cac voi trong o tai".split())  # folded
_CLAUSE_END = re.compile(r"[.;:!?()\[\]“”\"\n]")
MAX_LONG_WORDS = 40


def learn_abbreviations(text: str) -> list[tuple[str, str]]:
    """(short, long) pairs the text defines, as written: "long form (SHORT)".

    Two shapes are recognised, both strict enough that ordinary brackets teach nothing:
    an acronym whose letters are the initials of the words before it ("Cơ sở dữ liệu
    quốc gia về dân cư (CSDLQG về dân cư)", also "CSDLQG (Cơ sở dữ liệu quốc gia)"), and
    a name with a number whose head words start the long form ("Đề án Phát triển … tầm
    nhìn đến năm 2030 (Đề án 06)").
    """
    pairs: list[tuple[str, str]] = []
    for m in _PAREN.finditer(text):
        inside = " ".join(m[1].split())
        before = text[max(0, m.start() - 600) : m.start()]
        clause = _CLAUSE_END.split(before)[-1].strip(" ,-–")
        pair = _acronym_pair(inside, clause) or _named_pair(inside, before) or _reverse_pair(
            inside, clause
        )
        if pair and pair not in pairs:
            pairs.append(pair)
    return pairs


def _acronym_pair(short: str, clause: str) -> tuple[str, str] | None:
    """"… Cơ sở dữ liệu quốc gia về dân cư (CSDLQG về dân cư)"."""
    tokens = short.split()
    if not tokens or len(tokens) > 5 or not _ACRONYM.match(tokens[0]):
        return None
    letters = [c for c in tokens[0] if c.isalpha()]
    if len(letters) < 2:
        return None
    words = clause.split()
    rest = [fold(t).lower() for t in tokens[1:]]
    if rest:  # the words after the acronym repeat the end of the long form
        tail = [fold(w).lower().strip(",") for w in words[-len(rest) :]]
        if tail != rest:
            return None
        words = words[: -len(rest)]
    start = _initials_start(words, letters)
    if start is None:
        return None
    long = " ".join(words[start:] + tokens[1:])
    return short, long


def _initials_start(words: list[str], letters: list[str]) -> int | None:
    """Index where the words whose initials spell `letters` begin, reading backwards."""
    want = [fold(c).lower() for c in letters]
    i, j = len(words) - 1, len(want) - 1
    while i >= 0 and j >= 0:
        word = words[i]
        first = fold(word[:1]).lower()
        if first == want[j]:
            j -= 1
        elif fold(word).lower() not in _CONNECTORS and not (
            word in ("-", "–", "&") or word.isdigit()
        ):
            return None
        i -= 1
    if j >= 0:
        return None
    return i + 1 if len(words) - (i + 1) >= 2 else None


def _named_pair(short: str, before: str) -> tuple[str, str] | None:
    """"Đề án Phát triển … tầm nhìn đến năm 2030 của Chính phủ (Đề án 06)"."""
    tokens = short.split()
    if not 2 <= len(tokens) <= 4 or not any(c.isdigit() for c in tokens[-1]):
        return None
    head = tokens[:-1]
    if not head[0][:1].isupper() or any(any(c.isdigit() for c in t) for t in head):
        return None
    sentence = re.split(r"(?<=[.!?])\s+|\n", before)[-1]
    words = sentence.split()
    folded_head = [fold(t).lower() for t in head]
    for start in range(len(words) - len(head), -1, -1):
        if [fold(w).lower() for w in words[start : start + len(head)]] != folded_head:
            continue
        long = words[start:]
        if len(head) + 3 <= len(long) <= MAX_LONG_WORDS:
            return short, " ".join(long).strip(" ,")
        return None
    return None


def _reverse_pair(inside: str, clause: str) -> tuple[str, str] | None:
    """"CSDLQG (Cơ sở dữ liệu quốc gia)": an acronym followed by its spelled-out form."""
    words = clause.split()
    if not words or not _ACRONYM.match(words[-1]):
        return None
    letters = [c for c in words[-1] if c.isalpha()]
    spelled = inside.split()
    if len(letters) < 2 or len(spelled) < 2:
        return None
    if _initials_start(spelled, letters) != 0:
        return None
    return words[-1], inside


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A phrase as the words a question is compared with: match form, punctuation dropped."""
    return tuple(_WORD.findall(match_form(phrase)))
