"""Drawing the charts of bot/render/charts.py with matplotlib's object API on the Agg canvas.

Imported by `charts.render_*` at the first picture, not at start (see charts.py). pyplot is
never used (its global state is not thread-safe); one lock serialises rendering, since the
core answers in worker threads, and the style is applied with `rc_context` inside it.
"""

from __future__ import annotations

import io
import textwrap
import threading
from datetime import date

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from bot.render import charts
from bot.render.charts import STATES, STYLE, DailyBars, Timeline

__all__ = ["timeline_png", "daily_bars_png"]

DPI = 180
WIDTH_IN = 7.1  # × 180 dpi = 1,278 px: Telegram does not scale it down
LANE_IN = 0.95
TOP_IN, BOTTOM_IN, SIDE_IN = 0.85, 1.05, 0.12
LABEL_LEVELS = 2  # rows of labels under a lane's markers
LABEL_PAD_PX = 10
_INK, _MUTED, _BAND, _TODAY = "#1b2631", "#566573", "#f2f4f4", "#34495e"
_LOCK = threading.Lock()


def _rc() -> dict[str, object]:
    return {
        "font.family": charts.FONT,
        "font.size": 10,
        "text.hinting": "no_hinting",  # at 180 dpi hinting shows no difference, costs a third
        "axes.edgecolor": _MUTED,
        "xtick.color": _INK,
        "ytick.color": _INK,
        "savefig.facecolor": "white",
    }


def _month_label(value: float, _pos: int | None = None) -> str:
    d = mdates.num2date(value)
    return f"{d.month}/{d.year}"  # as plans write a month: "6/2025"


def _day_label(value: float, _pos: int | None = None) -> str:
    d = mdates.num2date(value)
    return f"{d.day}/{d.month}"


def _month_locator(start: date, end: date) -> mdates.MonthLocator | mdates.YearLocator:
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 48:
        return mdates.YearLocator()
    step = 1 if months <= 10 else 3 if months <= 30 else 6
    return mdates.MonthLocator(bymonth=range(1, 13, step))


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 3})  # 6 is slower
    return out.getvalue()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def _heading(fig: Figure, title: str, subtitle: str) -> None:
    height = fig.get_figheight()
    fig.text(
        SIDE_IN / WIDTH_IN,
        1 - 0.1 / height,
        _wrap(title, 62),
        fontsize=12.5,
        fontweight="bold",
        color=_INK,
        va="top",
    )
    if subtitle:
        fig.text(
            SIDE_IN / WIDTH_IN,
            1 - 0.5 / height,
            _wrap(subtitle, 88),
            fontsize=9,
            color=_MUTED,
            va="top",
        )


_SAMPLE = "Rà soát, làm sạch dữ liệu hộ tịch điện tử của các xã"
_LABEL_SIZE = 8.5


def _char_width(fig: Figure) -> float:
    """Pixels per character of a label, measured once per picture on Vietnamese text.

    Measuring every label costs a text layout each (3 ms: 200 deadlines would take most of a
    second); an estimate 8% on the wide side never lets two labels touch.
    """
    renderer = fig.canvas.get_renderer()
    probe = fig.text(0, 0, _SAMPLE, fontsize=_LABEL_SIZE)
    width = probe.get_window_extent(renderer).width
    probe.remove()
    return 1.08 * width / len(_SAMPLE)


def _place_labels(fig: Figure, ax, t: Timeline) -> int:
    """Label markers lane by lane, soonest first, in the first free row beside the marker;
    returns how many were left out because every row was taken there."""
    per_char = _char_width(fig)
    right_edge = ax.get_window_extent(fig.canvas.get_renderer()).x1
    taken: dict[tuple[int, int], list[tuple[float, float]]] = {}
    hidden = 0
    for m in sorted(t.markers, key=lambda m: (m.lane, m.day)):
        if not m.label:
            continue
        x = mdates.date2num(m.day)
        px = ax.transData.transform((x, m.lane))[0]
        width = per_char * len(m.label)
        left, ha, offset = px + 5, "left", 5
        if left + width > right_edge:  # near the right edge: the label goes to the left
            left, ha, offset = px - 5 - width, "right", -5
        span = (left - LABEL_PAD_PX / 2, left + width + LABEL_PAD_PX / 2)
        for level in range(LABEL_LEVELS):
            row = taken.setdefault((m.lane, level), [])
            if all(span[1] <= a or span[0] >= b for a, b in row):
                row.append(span)
                ax.text(
                    x,
                    m.lane + 0.58 + 0.2 * level,
                    m.label,
                    fontsize=_LABEL_SIZE,
                    color=_INK,
                    va="center",
                    ha=ha,
                    clip_on=False,
                    transform=_shifted(ax, offset),
                )
                break
        else:
            hidden += 1
    return hidden


def _shifted(ax, points: float):
    """Data coordinates moved `points` to the side, so a label starts beside its marker."""
    return ax.transData + ScaledTranslation(points / 72, 0, ax.figure.dpi_scale_trans)


def timeline_png(t: Timeline) -> bytes:
    """Bands top to bottom, one per lane, alternately shaded so a row is easy to follow
    across a phone screen; the height grows with the lanes, the width never does."""
    lanes = max(1, len(t.lanes))
    height = TOP_IN + BOTTOM_IN + LANE_IN * lanes
    with _LOCK, rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes(
            (
                SIDE_IN / WIDTH_IN,
                BOTTOM_IN / height,
                1 - 2 * SIDE_IN / WIDTH_IN,
                LANE_IN * lanes / height,
            )
        )
        ax.set_xlim(mdates.date2num(t.start), mdates.date2num(t.end))
        ax.set_ylim(lanes, 0)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        for i, lane in enumerate(t.lanes):
            if i % 2 == 0:
                ax.axhspan(i, i + 1, color=_BAND, zorder=0)
            ax.text(
                0.006,
                i + 0.05,
                lane,
                transform=ax.get_yaxis_transform(),
                fontsize=10,
                fontweight="bold",
                color=_INK,
                va="top",
                ha="left",
            )
        locator = _month_locator(t.start, t.end)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
        ax.grid(axis="x", color="#d5d8dc", linewidth=0.8, zorder=0)
        ax.tick_params(axis="x", labelsize=9.5)
        shown = {m.state for m in t.markers}
        for state in STATES:
            points = [m for m in t.markers if m.state == state]
            if points:
                color, marker, size = STYLE[state]
                ax.plot(
                    [mdates.date2num(m.day) for m in points],
                    [m.lane + 0.38 for m in points],
                    linestyle="none",
                    marker=marker,
                    markersize=size,
                    color=color,
                    markeredgecolor="white",
                    markeredgewidth=0.8,
                    zorder=3,
                )
        today = mdates.date2num(t.today)
        ax.axvline(today, color=_TODAY, linestyle="--", linewidth=1.4, zorder=2)
        where = (today - ax.get_xlim()[0]) / (ax.get_xlim()[1] - ax.get_xlim()[0])
        ha = "left" if where < 0.12 else "right" if where > 0.88 else "center"
        ax.text(
            today,
            1.0,
            t.today_label,
            color="white",
            fontsize=8.5,
            va="bottom",
            ha=ha,
            zorder=4,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": _TODAY, "edgecolor": "none"},
        )
        _heading(fig, t.title, t.subtitle)
        hidden = _place_labels(fig, ax, t)
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=STYLE[s][1],
                color=STYLE[s][0],
                markersize=8,
                label=text,
            )
            for s, text in t.legend
            if s in shown
        ]
        if handles:
            fig.legend(
                handles=handles,
                loc="lower center",
                ncol=min(3, len(handles)),
                frameon=False,
                fontsize=8.5,
                bbox_to_anchor=(0.5, 0.24 / height),
            )
        notes = [n for n in (t.crowded_note if hidden else "", t.footnote) if n]
        if notes:
            fig.text(
                SIDE_IN / WIDTH_IN,
                0.06 / height,
                _wrap(" ".join(notes), 110),
                fontsize=7.5,
                color=_MUTED,
                va="bottom",
            )
        return _png(fig)


def daily_bars_png(chart: DailyBars) -> bytes:
    """Stacked bars, one per day, every day present (a quiet day is a visible zero)."""
    height = 4.6
    with _LOCK, rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.09, 0.11, 0.88, 0.67))
        xs = [mdates.date2num(d) for d in chart.days]
        bottom = [0] * len(xs)
        for (label, values), color in zip(chart.series, chart.colors, strict=False):
            ax.bar(xs, values, bottom=bottom, width=0.8, color=color, label=label, zorder=2)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if xs:
            ax.set_xlim(xs[0] - 0.7, xs[-1] + 0.7)
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=5))
        ax.xaxis.set_major_formatter(FuncFormatter(_day_label))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.set_ylim(0, max([*bottom, 1]) * 1.15)
        ax.grid(axis="y", color="#d5d8dc", linewidth=0.8, zorder=0)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
        if chart.y_label:
            ax.set_ylabel(chart.y_label)
        ax.legend(loc="upper left", frameon=False, fontsize=9, ncol=len(chart.series))
        _heading(fig, chart.title, chart.subtitle)
        return _png(fig)
