"""The curated word lists that shape matching: abbreviations and stop words.

They are data files in the knowledge base so an admin can extend them and /reload;
their fingerprint is stored so a change re-analyses every passage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from index.errors import KnowledgeError
from index.normalize import fold, match_form

ABBREVIATIONS_FILE = "abbreviations.tsv"
STOPWORDS_FILE = "stopwords.txt"


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[str, str]  # match_form(abbreviation) -> match_form(expansion)
    stopwords: frozenset[str]  # match_form, compounds joined with "_"
    fingerprint: str

    @property
    def folded_stopwords(self) -> frozenset[str]:
        return frozenset(fold(w) for w in self.stopwords)


def load_lexicon(kb_dir: Path) -> Lexicon:
    abbr_path, stop_path = kb_dir / ABBREVIATIONS_FILE, kb_dir / STOPWORDS_FILE
    abbr_text = _read(abbr_path)
    stop_text = _read(stop_path)
    abbreviations: dict[str, str] = {}
    for n, line in enumerate(abbr_text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        short, sep, long = line.partition("\t")
        if not sep or not short.strip() or not long.strip():
            raise KnowledgeError(
                f"{ABBREVIATIONS_FILE} dòng {n}: cần 'viết tắt<TAB>dạng đầy đủ', gặp: {line[:60]!r}"
            )
        abbreviations[match_form(short.strip())] = match_form(long.strip())
    stopwords = frozenset(
        match_form(w.strip()).replace(" ", "_")
        for w in stop_text.splitlines()
        if w.strip() and not w.lstrip().startswith("#")
    )
    digest = hashlib.sha256((abbr_text + "\0" + stop_text).encode()).hexdigest()[:16]
    return Lexicon(abbreviations, stopwords, digest)


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"{path.name} phải là UTF-8: {err}") from err
