"""Scanned pages read with Tesseract's Vietnamese model: words with their boxes and confidence.

Through pytesseract rather than ocrmypdf: the PDF reader decides page by page which pages are
scans (a mixed file keeps its text pages as they are), and it needs each word's box to rebuild
lines, paragraphs and table cells with the same code as a text PDF, and each word's confidence
for the reload report. ocrmypdf would rewrite the whole file into a new PDF with a text layer
(through Ghostscript) to be parsed again, and hide both.

Ruled tables are found on the image before recognition: long straight dark runs are the rules,
their crossings the cells. The rules are then erased (Tesseract reads a rule as "|" or "—"),
and each recognised word is placed in the cell its centre falls in. A rule missing inside a
row is a merged cell, repeated across the columns it spans as the Word reader does.

A page's record (words, grids, confidence) is plain JSON, cached by the file's content.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass

import numpy as np

OCR_LANG = "vie"
DPI = 300
CONFIDENCE_FLOOR = 70.0  # a page read with less mean confidence is named in the reload report
PAGE_SECONDS = 120  # Tesseract is killed on a page that takes longer (a corrupt or huge image)
OCR_VERSION = "1"  # bumped when what a page record holds changes
PACKAGES = "tesseract-ocr tesseract-ocr-vie"
_DARK = 160  # grey level under which a pixel is ink


@dataclass(frozen=True)
class Rule:
    at: float  # y of a horizontal rule, x of a vertical one (pixels)
    start: float  # where it starts and ends along its own direction
    end: float


def missing() -> str:
    """Why scans cannot be read here ("" when they can), naming the packages to install."""
    return _missing()


@functools.cache
def _missing() -> str:
    if shutil.which("tesseract") is None:
        return f"chưa cài Tesseract OCR (gói {PACKAGES})"
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except Exception:  # noqa: BLE001 - a broken install says so in many ways
        return f"Tesseract OCR không chạy được (cài lại gói {PACKAGES})"
    if OCR_LANG not in languages:
        return "Tesseract thiếu mô hình tiếng Việt (gói tesseract-ocr-vie)"
    return ""


@functools.cache
def settings() -> tuple[str, ...]:
    """Everything that changes a page's record: part of the cache key."""
    import pytesseract

    return (f"ocr{OCR_VERSION}", str(pytesseract.get_tesseract_version()), OCR_LANG, str(DPI))


def recognise(image) -> dict:
    """One page image (PIL, any mode) → {"width", "height", "words", "grids", "confidence"}.

    `words` are [text, x0, top, x1, bottom, confidence, line] in pixels, `line` naming the
    Tesseract line the word belongs to; `grids` are ruled tables as {"rows", "cols", "open"}.
    """
    import pytesseract

    gray = np.asarray(image.convert("L"))
    dark = gray < _DARK
    horizontal, h_mask = _rules(dark, axis=1)
    vertical, v_mask = _rules(dark, axis=0)
    grids = _grids(horizontal, vertical)
    rules = h_mask | v_mask
    if rules.any():  # rules and underlines read as "|", "—" or "_": erase them first
        cleaned = gray.copy()
        cleaned[_grow(rules)] = 255
        image = _pil(cleaned)
    # One Tesseract thread per worker process: the reload already runs one worker per core.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        image,
        lang=OCR_LANG,
        config="--psm 3",
        output_type=pytesseract.Output.DICT,
        timeout=PAGE_SECONDS,
    )
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        line = f"{data['block_num'][i]}.{data['par_num'][i]}.{data['line_num'][i]}"
        words.append([text, x, y, x + w, y + h, conf, line])
    confidence = sum(w[5] for w in words) / len(words) if words else 0.0
    return {
        "width": int(gray.shape[1]),
        "height": int(gray.shape[0]),
        "dpi": DPI,
        "words": words,
        "grids": grids,
        "confidence": round(confidence, 1),
    }


def _pil(array: np.ndarray):
    from PIL import Image

    return Image.fromarray(array)


def _rules(dark: np.ndarray, axis: int) -> tuple[list[Rule], np.ndarray]:
    """Straight runs of ink at least a twentieth of the page long, along `axis` (1: rows)."""
    length = max(60, dark.shape[axis] // 20)
    runs = np.moveaxis(dark, axis, 1).astype(np.int32)
    n = runs.shape[1]
    if n <= length:
        return [], np.zeros_like(dark)
    cs = np.concatenate([np.zeros((runs.shape[0], 1), np.int32), np.cumsum(runs, axis=1)], axis=1)
    full = (cs[:, length:] - cs[:, :-length]) == length  # a full run starts here
    marks = np.zeros((runs.shape[0], n + 1), np.int32)
    marks[:, : full.shape[1]] += full
    marks[:, length : length + full.shape[1]] -= full
    mask = np.cumsum(marks, axis=1)[:, :n] > 0
    rules: list[Rule] = []
    lines = np.flatnonzero(mask.any(axis=1))
    if len(lines):
        groups = np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1)
        for group in groups:
            if len(group) > 12:  # a thick band is a black box or a photo, not a rule
                continue
            cols = np.flatnonzero(mask[group].any(axis=0))
            rules.append(Rule(float(group.mean()), float(cols[0]), float(cols[-1])))
    return rules, np.moveaxis(mask, 1, axis)


def _grow(mask: np.ndarray) -> np.ndarray:
    """The mask and its neighbours: a rule's anti-aliased edge is erased with it."""
    out = mask.copy()
    for shift in (1, 2):
        out[shift:, :] |= mask[:-shift, :]
        out[:-shift, :] |= mask[shift:, :]
        out[:, shift:] |= mask[:, :-shift]
        out[:, :-shift] |= mask[:, shift:]
    return out


def _grids(horizontal: list[Rule], vertical: list[Rule], tol: float = 12.0) -> list[dict]:
    """Ruled tables: runs of horizontal rules joined by at least two vertical ones."""

    def joins(v: Rule, y0: float, y1: float) -> bool:
        return v.start <= y0 + tol and v.end >= y1 - tol

    hs = sorted(horizontal, key=lambda r: r.at)
    grids: list[dict] = []
    i = 0
    while i < len(hs) - 1:
        j = i
        while j + 1 < len(hs):
            a, b = hs[j], hs[j + 1]
            across = [
                v for v in vertical if joins(v, a.at, b.at) and a.start - tol <= v.at <= a.end + tol
            ]
            if len(across) < 2:
                break
            j += 1
        if j > i:
            grids.append(_grid(hs[i : j + 1], vertical, tol))
        i = j + 1
    return [g for g in grids if len(g["cols"]) >= 3]


def _grid(rows: list[Rule], vertical: list[Rule], tol: float) -> dict:
    top, bottom = rows[0].at, rows[-1].at
    left = min(r.start for r in rows) - tol
    right = max(r.end for r in rows) + tol
    inside = [v for v in vertical if left <= v.at <= right and v.end > top and v.start < bottom]
    cols: list[float] = []
    for v in sorted(inside, key=lambda r: r.at):
        if not cols or v.at - cols[-1] > tol:
            cols.append(v.at)
    ys = [r.at for r in rows]
    open_ = []  # (row, boundary) where the rule between two cells is missing: merged cells
    for r in range(len(ys) - 1):
        mid = (ys[r] + ys[r + 1]) / 2
        for c in range(1, len(cols) - 1):
            if not any(
                abs(v.at - cols[c]) <= tol and v.start <= mid <= v.end for v in inside
            ):
                open_.append([r, c])
    return {"rows": ys, "cols": cols, "open": open_}


def cells_of(grid: dict, words: list[list]) -> tuple[list[list[str]], set[int]]:
    """The grid's rows of cell texts, and the indices of the words placed in it."""
    ys, xs = grid["rows"], grid["cols"]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    found: dict[tuple[int, int], list[list]] = {}
    used: set[int] = set()
    for i, w in enumerate(words):
        cx, cy = (w[1] + w[3]) / 2, (w[2] + w[4]) / 2
        r = _slot(ys, cy)
        c = _slot(xs, cx)
        if r is None or c is None:
            continue
        found.setdefault((r, c), []).append(w)
        used.add(i)
    merged = {(r, c) for r, c in grid["open"]}
    rows = []
    for r in range(n_rows):
        texts = [_cell_text(found.get((r, c), [])) for c in range(n_cols)]
        c = 0
        while c < n_cols:  # a merged cell: its text repeated in every column it spans
            end = c
            while end + 1 < n_cols and (r, end + 1) in merged:
                end += 1
            if end > c:
                text = " ".join(t for t in texts[c : end + 1] if t)
                texts[c : end + 1] = [text] * (end + 1 - c)
            c = end + 1
        rows.append(texts)
    return rows, used


def _slot(bounds: list[float], at: float) -> int | None:
    for i in range(len(bounds) - 1):
        if bounds[i] <= at < bounds[i + 1]:
            return i
    return None


def _cell_text(words: list[list]) -> str:
    lines: dict[str, list[list]] = {}
    for w in words:
        lines.setdefault(w[6], []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w[2] for w in ws))
    return " ".join(" ".join(w[0] for w in sorted(ws, key=lambda w: w[1])) for ws in ordered)
