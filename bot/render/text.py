"""Plain-text rendering for the console and Zalo: no markup, readable as typed."""

from __future__ import annotations

from bot.models import Block, Reply, Style
from bot.render.common import pack

ZALO_LIMIT = 2000


def render_block(block: Block) -> str:
    out = []
    for run in block:
        if run.style is Style.MATCH:
            out.append(f"«{run.text}»")
        elif run.style is Style.STRONG:
            out.append(run.text.upper() if len(run.text) <= 3 else run.text)
        else:
            out.append(run.text)
    return "".join(out)


def render(reply: Reply, limit: int = ZALO_LIMIT) -> list[str]:
    """Messages to send, each at most `limit` characters; actions become the hint line and
    files the core's description of them (a text platform sends no file)."""
    blocks = list(reply.blocks)
    blocks += [f.fallback for f in reply.files if f.fallback]
    if reply.hint:
        blocks.append(reply.hint)
    return pack(blocks, render_block, limit)
