"""Charts as PNG bytes: the deadline timeline and the questions-per-day bars.

The core decides what a chart shows and every word on it (`Timeline`, `DailyBars`); the
renderer only draws, with matplotlib on its Agg canvas (no display is ever needed). The
drawing lives in bot/render/charts_agg.py and is imported at the first picture: matplotlib
costs about 30 MB and most of a second to import, which a bot that never draws, and every
`de06` command, would otherwise pay at start.

Pictures are read on phones (Telegram shows photos at most 1,280 pixels wide), so the figure
is 1,278 pixels wide, lanes are labelled above their markers rather than in a left margin,
and labels that would overlap are left out instead of piled up. Vietnamese is drawn with
DejaVu Sans, which matplotlib ships and which has every glyph of the language, so no system
font is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "Marker", "Timeline", "DailyBars", "STATES", "STYLE", "render_timeline", "render_daily_bars",
]  # fmt: skip

MEDIA_TYPE = "image/png"
FONT = "DejaVu Sans"
STATES = ("overdue", "soon", "upcoming", "recurring", "effective")
STYLE = {  # state: (colour, marker, size in points)
    "overdue": ("#c0392b", "X", 10),
    "soon": ("#e67e22", "o", 9),
    "upcoming": ("#2471a3", "o", 9),
    "recurring": ("#17a589", "o", 9),
    "effective": ("#229954", "D", 8),
}


@dataclass(frozen=True)
class Marker:
    day: date
    lane: int  # index into Timeline.lanes
    label: str  # "" for none
    state: str  # one of STATES


@dataclass(frozen=True)
class Timeline:
    title: str
    subtitle: str
    start: date
    end: date
    today: date
    today_label: str
    lanes: tuple[str, ...]  # lead agencies, top to bottom
    markers: tuple[Marker, ...]
    legend: tuple[tuple[str, str], ...]  # (state, what it means), for the states shown
    crowded_note: str  # said under the chart when some labels had to be left out
    footnote: str = ""


@dataclass(frozen=True)
class DailyBars:
    title: str
    subtitle: str
    days: tuple[date, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (legend label, count per day), stacked
    colors: tuple[str, ...] = ("#2471a3", "#e67e22")
    y_label: str = ""


def render_timeline(t: Timeline) -> bytes:
    """The timeline as PNG: one band per lead agency, today as a dashed line."""
    from bot.render import charts_agg

    return charts_agg.timeline_png(t)


def render_daily_bars(chart: DailyBars) -> bytes:
    """Stacked bars, one per day, oldest on the left, as PNG."""
    from bot.render import charts_agg

    return charts_agg.daily_bars_png(chart)
