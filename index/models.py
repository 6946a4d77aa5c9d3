"""Plain data passed between the index layers and up to the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source document as read from the knowledge base."""

    doc_id: str  # stable key: the file name without extension
    path: str  # relative to the knowledge base directory
    title: str
    date: str  # YYYY-MM-DD, or "" when the document names none
    source: str
    url: str
    body: str  # normalised display text (NFC, odd spaces folded)
    content_hash: str
    size: int = 0  # bytes on disk and modification time: an unchanged file is not even read
    mtime_ns: int = 0
    units: tuple = ()  # index.structure.Unit: the blocks placed in their sections, in order
    ocr: object = None  # index.blocks.OcrSummary when scanned pages were read by OCR
    notes: tuple[str, ...] = ()  # what the reload report should say about this file


@dataclass(frozen=True)
class Passage:
    """A chat-bubble-sized piece of a document; offsets index into Document.body."""

    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    section: str = ""  # "PHỤ LỤC › II. NHÓM TIỆN ÍCH … › 3"; "" when the document has none
    reference: str = ""  # the same as a citation says it: "Phụ lục, mục II.3"
    path: tuple = ()  # the structure's Sections, outermost first (index.structure.Section)
    cells: tuple[tuple[str, str, str], ...] = ()  # a task-table row: (role, column name, text)
    context: str = ""  # indexed with the passage, not shown: document title, headings above it
    ocr: bool = False  # read by OCR from a scanned page: the citation says "bản quét"


@dataclass(frozen=True)
class Hit:
    """One ranked passage with the snippet to show and where it comes from."""

    passage_id: int
    doc_id: str
    ordinal: int
    title: str
    source: str
    date: str
    url: str
    text: str  # the whole passage
    snippet: str  # the 1-2 best sentences, at most 300 characters
    marks: tuple[tuple[int, int], ...]  # spans of matched terms inside snippet
    score: float
    also_in: tuple[str, ...] = field(default=())  # titles of documents with a near-duplicate
    section: str = ""  # where the passage sits: "PHỤ LỤC › II. NHÓM TIỆN ÍCH … › 3"
    reference: str = ""  # the same, as a citation says it: "Phụ lục, mục II.3"
    ocr: bool = False  # the passage was read by OCR from a scanned page
