"""The console chat: the same conversation core, one line in, plain text out.

Works interactively and piped (`echo "câu hỏi" | de06 chat`), so it doubles as the
simplest end-to-end check of the core.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.core import Conversation
from bot.messages import ASSISTANT
from bot.models import Incoming, ReplyKind
from bot.render.text import render

CONSOLE_LIMIT = 100_000  # a terminal has no message limit; keep replies whole


def chat(conv: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    interactive = stdin.isatty()
    if interactive:
        stdout.write(f"{ASSISTANT} — gõ câu hỏi, /help để xem hướng dẫn, Ctrl+D để thoát.\n")
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        reply = conv.handle(Incoming("console", "console", "console", line.rstrip("\n")))
        if reply.kind is ReplyKind.IGNORED:
            continue
        for message in render(reply, limit=CONSOLE_LIMIT):
            stdout.write(message + "\n")
        if not interactive:
            stdout.write("\n")
        stdout.flush()
