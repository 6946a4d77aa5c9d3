"""Splitting a reply into platform-sized messages, shared by every renderer."""

from __future__ import annotations

from collections.abc import Callable

from bot.models import Block, Run

BlockRenderer = Callable[[Block], str]


def pack(blocks: list[Block], render: BlockRenderer, limit: int, sep: str = "\n\n") -> list[str]:
    """Render blocks and pack them into as few messages of at most `limit` characters.

    Blocks are only split when one alone is longer than the limit; then it is cut
    into runs' words so no markup is broken (`render` is applied to each piece).
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, render, limit):
            if not current:
                current = piece
            elif len(current) + len(sep) + len(piece) <= limit:
                current = current + sep + piece
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _fit(block: Block, render: BlockRenderer, limit: int) -> list[str]:
    whole = render(block)
    if len(whole) <= limit:
        return [whole]
    pieces: list[str] = []
    current: list[Run] = []
    for run in block:
        for word in _words(run, render, limit):
            trial = render(tuple(current + [word]))
            if current and len(trial) > limit:
                pieces.append(render(tuple(current)))
                current = [word]
            else:
                current.append(word)
    if current:
        pieces.append(render(tuple(current)))
    return pieces


def _words(run: Run, render: BlockRenderer, limit: int) -> list[Run]:
    """Cut a run at spaces (or, for a monster word, at a width whose *rendered* form fits).

    Measuring the rendered form matters: escaping can make text five times longer
    ("&" → "&amp;"), so a raw width that fits can still overflow once rendered.
    """
    out: list[Run] = []
    for token in run.text.split(" "):
        while len(render((Run(token, run.style),))) > limit - 8:
            width = min(len(token) - 1, max(1, limit // 4))
            while width > 1 and len(render((Run(token[:width], run.style),))) > limit - 8:
                width //= 2
            out.append(Run(token[:width], run.style))
            token = token[width:]
        out.append(Run(token + " ", run.style))
    if out:
        last = out[-1]
        out[-1] = Run(last.text[:-1], last.style)
    return out
