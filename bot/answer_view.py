"""Hits → blocks: snippet with matched words, then the citation. Wording lives here, once."""

from __future__ import annotations

from bot.models import Block, Run, Style
from index.models import Hit
from index.normalize import fold


def vn_date(iso: str) -> str:
    """2024-01-25 → 25/01/2024 (how Vietnamese documents write dates)."""
    if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"
    return iso


TITLE_CHARS = 70  # a citation's title is cut near this, so it reads on a phone


def source_line(
    title: str,
    source: str,
    date: str,
    ordinal: int | None = None,
    where: str = "",
    scanned: bool = False,
    *,
    named: bool = True,
) -> str:
    """One citation style everywhere: "Nguồn: Tiêu đề (Nơi đăng, 25/01/2024), mục II.3".

    `where` is the passage's section as a citation says it ("Phụ lục, mục II.3", "Điều 2");
    a document without structure is cited by paragraph number instead. A passage read by OCR
    from a scan says "bản quét", so a reader knows to check a surprising figure in the original.
    The place of publication is left out when the title already names it, or when `named` is
    False (an earlier citation of the same reply named it).
    """
    show_source = named and source and fold(source).lower() not in fold(title).lower()
    parts = ("bản quét" if scanned else "", source if show_source else "", vn_date(date))
    extra = ", ".join(p for p in parts if p)
    line = "Nguồn: " + title + (f" ({extra})" if extra else "")
    if where:
        return f"{line}, {where}"
    return line + (f", đoạn {ordinal + 1}" if ordinal is not None else "")


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """A long title cut at the word boundary nearest `limit` characters, with "…"."""
    title = " ".join(title.split())
    if len(title) <= limit + 10:  # a few characters over is not worth an ellipsis
        return title
    cut = title.rfind(" ", 0, limit + 1)
    after = title.find(" ", limit)
    if after != -1 and (cut == -1 or after - limit < limit - cut) and after <= limit + 10:
        cut = after
    if cut <= limit // 2:
        cut = limit
    return title[:cut].rstrip(" ,;:–-") + "…"


def citation(hit: Hit, *, named: bool = True) -> str:
    """The citation of a hit: the one place that builds it (title shortened for phones)."""
    return source_line(
        short_title(hit.title), hit.source, hit.date, hit.ordinal,
        hit.reference or hit.section, hit.ocr, named=named,
    )  # fmt: skip


def snippet_runs(text: str, marks: tuple[tuple[int, int], ...]) -> list[Run]:
    runs: list[Run] = []
    cursor = 0
    for start, end in marks:
        if start < cursor:
            continue
        if start > cursor:
            runs.append(Run(text[cursor:start]))
        runs.append(Run(text[start:end], Style.MATCH))
        cursor = end
    if cursor < len(text):
        runs.append(Run(text[cursor:]))
    return runs


def hit_block(number: int, hit: Hit, *, named: bool = True) -> Block:
    runs = [Run(f"{number}. ", Style.STRONG), *snippet_runs(hit.snippet, hit.marks)]
    runs.append(Run("\n"))
    runs.append(Run(citation(hit, named=named), Style.CITE))
    if hit.also_in:
        also = "; ".join(short_title(t) for t in hit.also_in)
        runs.append(Run("\nNội dung tương tự cũng có trong: " + also, Style.CITE))
    return tuple(runs)


def hit_blocks(hits: list[Hit], first: int = 1) -> list[Block]:
    """The hits of one reply, numbered from `first`; a source is named once per reply."""
    blocks, named = [], set()
    for i, hit in enumerate(hits):
        blocks.append(hit_block(first + i, hit, named=hit.source not in named))
        named.add(hit.source)
    return blocks


def passage_blocks(hit: Hit) -> list[Block]:
    """The whole passage (paragraph by paragraph, so long ones split cleanly) + citation."""
    blocks: list[Block] = [(Run(hit.title, Style.STRONG),)]
    blocks.extend((Run(p.strip()),) for p in hit.text.split("\n") if p.strip())
    blocks.append((Run(citation(hit), Style.CITE),))
    if hit.url:
        blocks.append((Run(hit.url, Style.CITE),))
    return blocks
