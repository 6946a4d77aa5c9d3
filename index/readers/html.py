"""A saved web page: the article only, with its title and publication date from the metadata.

trafilatura finds the main content of a news or portal page and leaves out navigation,
"Tin xem nhiều" boxes, ads, footers and photo captions; its XML output keeps headings,
lists and tables, which become blocks like any other format's.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from index.blocks import Block, DocMeta, Heading, Paragraph, ReadResult, TableRow
from index.errors import DocumentError
from index.readers.text import decode_text

_SPACES = re.compile(r"\s+")
_TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+[^-|–]{2,60}$")


def read_html(raw: bytes, rel: Path) -> ReadResult:
    import trafilatura

    html = decode_text(raw, rel)
    xml = trafilatura.extract(
        html,
        output_format="xml",
        include_tables=True,
        include_images=False,
        include_comments=False,
        include_links=False,
        with_metadata=True,
        favor_recall=True,
    )
    if not xml:
        raise DocumentError(rel, "trang web không có nội dung bài viết đọc được")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as err:
        raise DocumentError(rel, "không đọc được nội dung trang web") from err
    title = _clean(root.get("title") or "")
    blocks: list[Block] = []
    tables = 0
    main = root.find("main")
    for element in main if main is not None else []:
        if element.tag == "table":
            tables += 1
            blocks.extend(_rows(element, tables))
        elif element.tag == "head":
            text = _text(element)
            level = int((element.get("rend") or "h2")[1:] or 2) if element.get("rend") else 2
            if text and not (level == 1 and text == title):
                blocks.append(Heading(text, level))
        elif element.tag == "list":
            blocks.extend(Paragraph(f"- {_text(i)}") for i in element.iter("item") if _text(i))
        elif _text(element):
            blocks.append(Paragraph(_text(element)))
    if not blocks:
        raise DocumentError(rel, "trang web không có nội dung bài viết đọc được")
    meta = DocMeta(
        title=_TITLE_SUFFIX.sub("", title) if len(title) > 90 else title,
        date=(root.get("date") or "")[:10],
        source=_clean(root.get("sitename") or ""),
        url=_clean(root.get("url") or ""),
    )
    return ReadResult(tuple(blocks), meta)


def _rows(table: ElementTree.Element, number: int) -> list[TableRow]:
    out = []
    for row in table.iter("row"):
        cells = []
        for cell in row.findall("cell"):
            text = _text(cell)
            span = cell.get("colspan") or "1"
            cells.extend([text] * (int(span) if span.isdigit() and int(span) < 50 else 1))
        if any(cells):
            out.append(TableRow(tuple(cells), number))
    return out


def _text(element: ElementTree.Element) -> str:
    return _clean("".join(element.itertext()))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
