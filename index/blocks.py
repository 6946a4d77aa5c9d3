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


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (a bullet is a paragraph too).

    `emphasis` marks a paragraph typed wholly in bold: authors type headings that way, and the
    structure pass promotes it to a heading when it also carries a section number.
    """

    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class TableRow:
    """One row of a table, with the cells as the reader found them (merged cells repeated).

    `table` numbers the tables of a document (a table continued over a page break keeps its
    number), so the structure pass can tell the header row of each table.
    """

    cells: tuple[str, ...]
    table: int = 0


Block = Heading | Paragraph | TableRow


@dataclass(frozen=True)
class DocMeta:
    """What a reader learns about the file itself, beside its text (all optional)."""

    title: str = ""
    date: str = ""  # YYYY-MM-DD
    source: str = ""
    url: str = ""


@dataclass(frozen=True)
class ReadResult:
    blocks: tuple[Block, ...]
    meta: DocMeta = field(default_factory=DocMeta)
    structured: bool = True  # False for plain text: its lines are kept exactly as typed


def block_text(block: Block) -> str:
    if isinstance(block, TableRow):
        return " | ".join(c for c in block.cells if c)
    return block.text
