"""The geometry of a product's timeline picture: one bar per cycle, split by support phase.

Pure arithmetic on derived cycles; the template draws it as inline SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from lifecycle.cycles import Cycle, ProductCycles
from lifecycle.status import Status

WIDTH = 960
LABEL_WIDTH = 76
RIGHT_PAD = 16
AXIS_HEIGHT = 26
LANE_HEIGHT = 24
BAR_HEIGHT = 14
FOOT_HEIGHT = 24
# An as-of date this far outside the cycles' dates does not stretch the picture.
MARKER_REACH = timedelta(days=3 * 366)
TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500)
MAX_TICK_LABELS = 14

PHASES = (
    ("current", Status.CURRENT),
    ("security_only", Status.SECURITY_ONLY),
    ("eol", Status.EOL),
)


@dataclass(frozen=True, slots=True)
class Segment:
    phase: str
    x: float
    width: float
    title: str
    open_end: bool


@dataclass(frozen=True, slots=True)
class Lane:
    key: str
    y: float
    bar_y: float
    text_y: float
    segments: tuple[Segment, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    year: int
    labelled: bool


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    chart_x: int
    chart_right: int
    axis_y: int
    lanes_bottom: float
    bar_height: int
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    marker: Marker | None
    description: str


def build_timeline(cycles: ProductCycles, as_of: date, marker_label: str) -> Timeline | None:
    """The picture of ``cycles`` with a marker line at ``as_of``; None when nothing is dated."""
    dated = [c for c in cycles.newest_first if c.dates.released_on is not None]
    if not dated:
        return None
    known = [
        d
        for c in dated
        for d in (
            c.dates.released_on,
            c.dates.security_only_from,
            c.dates.eol_on,
            c.dates.eosl_on,
        )
        if d is not None
    ]
    first, last = min(known), max(known)
    show_marker = first - MARKER_REACH <= as_of <= last + MARKER_REACH
    if show_marker:
        first, last = min(first, as_of), max(last, as_of)
    open_ended = any(c.dates.security_only_from is None or c.dates.eol_on is None for c in dated)
    start = date(first.year, 1, 1)
    # Open phases run to the right edge: leave them room to be seen running on.
    end_year = last.year + (
        2 if open_ended and (date(last.year + 1, 1, 1) - last).days < 183 else 1
    )
    end = date(min(end_year, 9999), 1, 1)
    span = (end - start).days

    chart_x, chart_right = LABEL_WIDTH, WIDTH - RIGHT_PAD
    scale = (chart_right - chart_x) / span

    def x_of(day: date) -> float:
        return round(chart_x + (day - start).days * scale, 2)

    lanes = []
    for i, cycle in enumerate(cycles.newest_first):
        y = AXIS_HEIGHT + i * LANE_HEIGHT
        bar_y = y + (LANE_HEIGHT - BAR_HEIGHT) / 2
        segments = _segments(cycle, x_of, chart_right)
        note = None if segments else _note(cycle)
        lanes.append(Lane(cycle.key, y, bar_y, y + LANE_HEIGHT / 2 + 4, segments, note))
    lanes_bottom = AXIS_HEIGHT + len(lanes) * LANE_HEIGHT

    years = end.year - start.year
    step = next((s for s in TICK_STEPS if years / s <= MAX_TICK_LABELS), TICK_STEPS[-1])
    # A label needs room to its right; the last tick is the chart's edge.
    ticks = tuple(
        Tick(x, year, year % step == 0 and x + 30 <= chart_right)
        for year in range(start.year, end.year + 1)
        if years <= 200 or year % step == 0
        for x in (x_of(date(year, 1, 1)),)
    )

    marker = None
    if show_marker:
        mx = x_of(as_of)
        width = chart_right - chart_x
        anchor = (
            "start"
            if mx < chart_x + width * 0.1
            else "end"
            if mx > chart_right - width * 0.1
            else "middle"
        )
        marker = Marker(mx, marker_label, anchor)

    return Timeline(
        width=WIDTH,
        height=int(lanes_bottom + FOOT_HEIGHT),
        chart_x=chart_x,
        chart_right=chart_right,
        axis_y=AXIS_HEIGHT,
        lanes_bottom=lanes_bottom,
        bar_height=BAR_HEIGHT,
        lanes=tuple(lanes),
        ticks=ticks,
        marker=marker,
        description=_description(cycles, as_of, marker is not None),
    )


def _segments(cycle: Cycle, x_of: Callable[[date], float], chart_right: int) -> tuple[Segment, ...]:
    dates = cycle.dates
    bounds = (
        (dates.released_on, dates.security_only_from),
        (dates.security_only_from, dates.eol_on),
        (dates.eol_on, dates.eosl_on),
    )
    out = []
    for (phase, status), (begin, finish) in zip(PHASES, bounds, strict=True):
        if begin is None or (finish is not None and finish <= begin):
            continue
        left = x_of(begin)
        right = chart_right if finish is None else x_of(finish)
        label = f"Cycle {cycle.key}, {status.words}"
        if finish is None:
            title = f"{label}: from {begin}, no end set yet"
        else:
            title = f"{label}: {begin} to {finish - timedelta(days=1)}"
        out.append(Segment(phase, left, max(round(right - left, 2), 1.0), title, finish is None))
    return tuple(out)


def _note(cycle: Cycle) -> str:
    if cycle.is_prerelease_only:
        return "pre-releases only, no dates yet"
    return "no dates yet"


def _description(cycles: ProductCycles, as_of: date, marked: bool) -> str:
    parts = []
    for cycle in cycles.newest_first:
        parts.append(f"cycle {cycle.key}: {cycle.status(as_of).words}")
    where = f"; the line marks {as_of}" if marked else f"; {as_of} is outside the chart"
    return (
        "One bar per cycle, newest at the top, coloured by support phase"
        + where
        + ". "
        + ("; ".join(parts) + ".")
    )
