"""Hits → blocks: snippet with matched words, then the citation. Wording lives here, once."""

from __future__ import annotations

from bot.models import Block, Run, Style
from index.models import Hit


def vn_date(iso: str) -> str:
    """2024-01-25 → 25/01/2024 (how Vietnamese documents write dates)."""
    if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"
    return iso


def source_line(
    title: str,
    source: str,
    date: str,
    ordinal: int | None = None,
    where: str = "",
    scanned: bool = False,
) -> str:
    """One citation style everywhere: "Nguồn: Tiêu đề (Nơi đăng, 25/01/2024), mục II.3".

    `where` is the passage's section as a citation says it ("Phụ lục, mục II.3", "Điều 2");
    a document without structure is cited by paragraph number instead. A passage read by OCR
    from a scan says "bản quét", so a reader knows to check a surprising figure in the original.
    """
    extra = ", ".join(p for p in ("bản quét" if scanned else "", source, vn_date(date)) if p)
    line = "Nguồn: " + title + (f" ({extra})" if extra else "")
    if where:
        return f"{line}, {where}"
    return line + (f", đoạn {ordinal + 1}" if ordinal is not None else "")


def citation(hit: Hit) -> str:
    return source_line(
        hit.title, hit.source, hit.date, hit.ordinal, hit.reference or hit.section, hit.ocr
    )


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


def hit_block(number: int, hit: Hit) -> Block:
    runs = [Run(f"{number}. ", Style.STRONG), *snippet_runs(hit.snippet, hit.marks)]
    runs.append(Run("\n"))
    runs.append(Run(citation(hit), Style.CITE))
    if hit.also_in:
        runs.append(Run("\nNội dung tương tự cũng có trong: " + "; ".join(hit.also_in), Style.CITE))
    return tuple(runs)


def passage_blocks(hit: Hit) -> list[Block]:
    """The whole passage (paragraph by paragraph, so long ones split cleanly) + citation."""
    blocks: list[Block] = [(Run(hit.title, Style.STRONG),)]
    blocks.extend((Run(p.strip()),) for p in hit.text.split("\n") if p.strip())
    blocks.append((Run(citation(hit), Style.CITE),))
    if hit.url:
        blocks.append((Run(hit.url, Style.CITE),))
    return blocks
