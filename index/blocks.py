"""The one shape every file format is read into: blocks, in document order.

Readers (one per format, `index/readers/`) turn a file into `Blocks`; everything downstream —
structure, passages, deadlines — reads blocks and never knows which format they came from.
A format's quirks (a PDF's running header, a DOCX merged cell, a web page's navigation) are
handled inside its reader and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A heading as the author marked it: by style (level 1-9) or by bold/capital typing.

    `level` is the style's outline level when the format has one, else 0 ("looks like a
    heading, rank it by its numbering"). The numbering ("II.", "Điều 3") stays in `text`;
    the structure pass reads it from there.
    """

    text: str
    level: int = 0
    ocr: bool = False  # recognised from a scanned page, not read from a text layer


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (a bullet is a paragraph too).

    `emphasis` marks a paragraph typed wholly in bold: authors type headings that way, and the
    structure pass promotes it to a heading when it also carries a section number.
    """

    text: str
    emphasis: bool = False
    ocr: bool = False


@dataclass(frozen=True)
class TableRow:
    """One row of a table, with the cells as the reader found them (merged cells repeated).

    `table` numbers the tables of a document (a table continued over a page break keeps its
    number), so the structure pass can tell the header row of each table.
    """

    cells: tuple[str, ...]
    table: int = 0
    ocr: bool = False


Block = Heading | Paragraph | TableRow


@dataclass(frozen=True)
class DocMeta:
    """What a reader learns about the file itself, beside its text (all optional)."""

    title: str = ""
    date: str = ""  # YYYY-MM-DD
    source: str = ""
    url: str = ""


@dataclass(frozen=True)
class OcrSummary:
    """How a file's scanned pages were read, for the reload report.

    Officials publish the signed, stamped scan; whoever loads it needs to know which pages a
    machine read and how sure it was, because a misread date becomes a wrong deadline.
    """

    pages: tuple[int, ...]  # 1-based numbers of the pages read by OCR
    confidence: float  # Tesseract's mean word confidence over those pages, 0-100
    low: tuple[tuple[int, float], ...] = ()  # (page, confidence) of pages under the floor
    recognised: int = 0  # pages recognised by this read; the others came from the cache
    seconds: float = 0.0  # time spent recognising (0 when every page came from the cache)


@dataclass(frozen=True)
class ReadResult:
    blocks: tuple[Block, ...]
    meta: DocMeta = field(default_factory=DocMeta)
    structured: bool = True  # False for plain text: its lines are kept exactly as typed
    ocr: OcrSummary | None = None  # set when some pages were scans read by OCR
    notes: tuple[str, ...] = ()  # what the admin should know about a file that did load


def block_text(block: Block) -> str:
    if isinstance(block, TableRow):
        return " | ".join(c for c in block.cells if c)
    return block.text
