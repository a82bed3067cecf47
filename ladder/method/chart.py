"""Geometry of the ladder chart: a server-rendered SVG, so it prints, needs no chart
library and can be tested. The template draws what these functions place."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ladder.method.scoring import round_half_up

WIDTH = 640
HEIGHT = 380
TOP = 30  # y of rung 5
BOTTOM = 340  # y of rung 1
# Labels sit left of the ladder (the first thing seen on a narrow screen), the
# method's reference clusters to its right.
LADDER_LEFT = 300
LADDER_RIGHT = 380
LABEL_X = 282
CLUSTER_X = 416
CLUSTER_WIDTH = 216
LABEL_GAP = 20
RAIL_WIDTH = 8  # minimum vertical distance between two marker labels

# The method's examples of where familiar roles sit (folk placements, not data).
REFERENCE_CLUSTERS: tuple[tuple[str, float, float], ...] = (
    ("Coders, architects, contract attorneys", 1.0, 2.0),
    ("Luxury agents, therapists, senior advisors", 4.0, 5.0),
)
FRONTIER = "frontier"  # the kind of the label that names the AI frontier line


def y_for(value: float) -> float:
    """Vertical position of a ladder value (1 at the bottom, 5 at the top)."""
    clamped = min(5.0, max(1.0, value))
    return round(BOTTOM - (clamped - 1) / 4 * (BOTTOM - TOP), 1)


@dataclass(frozen=True)
class Marker:
    """A point on the ladder: the person, an occupation, an activity."""

    label: str
    value: float
    kind: str  # "you", "occupation", "activity"

    @property
    def y(self) -> float:
        return y_for(self.value)


@dataclass(frozen=True)
class PlacedMarker:
    marker: Marker
    label_y: float

    @property
    def leader_end_y(self) -> float:
        return self.label_y - 4


@dataclass(frozen=True)
class Band:
    label: str
    low: float
    high: float

    @property
    def y_top(self) -> float:
        return y_for(self.high)

    @property
    def height(self) -> float:
        return y_for(self.low) - y_for(self.high)

    @property
    def label_y(self) -> float:
        return (self.y_top + y_for(self.low)) / 2 - 14

    @property
    def label_lines(self) -> list[str]:
        """The label broken at its commas, one short line each."""
        return [part.strip() for part in self.label.split(",")]


@dataclass(frozen=True)
class Frontier:
    """Where AI reaches today: the baseline line and the slow–fast range around it."""

    baseline: float
    low: float
    high: float

    @property
    def y(self) -> float:
        return y_for(self.baseline)

    @property
    def band_top(self) -> float:
        return y_for(self.high)

    @property
    def band_height(self) -> float:
        return y_for(self.low) - y_for(self.high)


@dataclass(frozen=True)
class LadderChart:
    title: str
    markers: tuple[PlacedMarker, ...]
    frontier: Frontier | None
    frontier_label: str = "AI frontier today"
    clusters: tuple[Band, ...] = field(
        default_factory=lambda: tuple(Band(*c) for c in REFERENCE_CLUSTERS)
    )
    width: int = WIDTH
    height: int = HEIGHT
    ladder_left: int = LADDER_LEFT
    ladder_right: int = LADDER_RIGHT
    label_x: int = LABEL_X

    @property
    def rungs(self) -> list[tuple[int, float]]:
        """Each rung number with the y of its bar's top edge."""
        return [(rung, y_for(rung) - 3) for rung in range(1, 6)]

    @property
    def rung_width(self) -> int:
        return self.ladder_right + RAIL_WIDTH - self.ladder_left

    @property
    def rail_height(self) -> int:
        return self.height - 30

    @property
    def axis_x(self) -> int:
        return self.ladder_right + RAIL_WIDTH + 8

    @property
    def cluster_x(self) -> int:
        return CLUSTER_X

    @property
    def cluster_width(self) -> int:
        return CLUSTER_WIDTH

    @property
    def cluster_text_x(self) -> int:
        return CLUSTER_X + 10

    @property
    def dot_x(self) -> int:
        return (self.ladder_left + self.ladder_right + RAIL_WIDTH) // 2

    @property
    def band_x(self) -> int:
        # The frontier runs from the ladder rightwards, clear of the label column.
        return self.ladder_left - 12


def place_labels(markers: Sequence[Marker]) -> tuple[PlacedMarker, ...]:
    """Give each marker a label position, pushed apart so no two labels overlap."""
    ordered = sorted(markers, key=lambda m: m.y)
    placed: list[PlacedMarker] = []
    for marker in ordered:
        # The frontier's label hangs just under its line rather than across it.
        label_y = marker.y + (18 if marker.kind == FRONTIER else 4)
        if placed and label_y - placed[-1].label_y < LABEL_GAP:
            label_y = placed[-1].label_y + LABEL_GAP
        placed.append(PlacedMarker(marker, label_y))
    # If the stack ran off the bottom, shift everything up.
    overflow = placed[-1].label_y - (HEIGHT - 8) if placed else 0
    if overflow > 0:
        placed = [PlacedMarker(p.marker, p.label_y - overflow) for p in placed]
    return tuple(placed)


def ladder_chart(
    title: str,
    markers: Sequence[Marker],
    frontier: Frontier | None,
    frontier_label: str = "AI frontier today",
) -> LadderChart:
    """Everything the chart template needs to draw. The frontier's label joins the
    markers' so that the two never overlap."""
    labelled = list(markers)
    if frontier is not None:
        labelled.append(Marker(frontier_label, frontier.baseline, FRONTIER))
    return LadderChart(
        title=title,
        markers=place_labels(labelled),
        frontier=frontier,
        frontier_label=frontier_label,
    )


# --- The timeline: a person's rung at each completed audit against the AI frontier. ---

TIMELINE_WIDTH = 640
TIMELINE_HEIGHT = 300
TIMELINE_TOP = 30  # y of rung 5; the "today" label sits above it
TIMELINE_BOTTOM = 252  # y of rung 1; the date labels sit below it
TIMELINE_LEFT = 64  # room for the rung labels
TIMELINE_RIGHT = 624
TIMELINE_LEAD_DAYS = 30  # breathing room before the first audit
TIMELINE_LOOKAHEAD_DAYS = 120  # so the coming quarter is on the chart
TIMELINE_SAMPLE_DAYS = 15  # often enough that the frontier's bend shows
TIMELINE_MAX_TICKS = 8
QUARTER_START_MONTHS = (1, 4, 7, 10)
TIMELINE_FRONTIER_LABEL = "AI frontier (baseline)"


def _clamp_rung(value: float) -> float:
    return min(5.0, max(1.0, value))


def _rung_text(value: float) -> str:
    # The same rounding as the ``rung`` template filter, so chart and page agree.
    return str(round_half_up(value, 1))


def _day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def timeline_y_for(value: float) -> float:
    """Vertical position of a ladder value on the timeline (1 at the bottom, 5 at the top)."""
    return round(
        TIMELINE_BOTTOM - (_clamp_rung(value) - 1) / 4 * (TIMELINE_BOTTOM - TIMELINE_TOP), 1
    )


def _x_for(day: date, start: date, end: date) -> float:
    share = (day - start).days / (end - start).days
    return round(TIMELINE_LEFT + share * (TIMELINE_RIGHT - TIMELINE_LEFT), 1)


def _polyline(coordinates: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in coordinates)


@dataclass(frozen=True)
class TimelinePoint:
    """One completed audit, placed: the date it was taken and the rung it found."""

    x: float
    y: float
    taken: date
    rung: float
    label: str


@dataclass(frozen=True)
class TimelineGridline:
    rung: int
    y: float
    label: str


@dataclass(frozen=True)
class TimelineTick:
    """The first day of a quarter on the date axis."""

    x: float
    day: date
    label: str


@dataclass(frozen=True)
class TimelineChart:
    """Everything the timeline template draws; coordinates are in SVG user units."""

    title: str
    start: date
    end: date
    today: date
    points: tuple[TimelinePoint, ...]
    you_line: str  # polyline points through the audits, oldest first
    frontier_line: str  # polyline points of the frontier across the whole range
    gridlines: tuple[TimelineGridline, ...]
    ticks: tuple[TimelineTick, ...]
    today_x: float
    frontier_today: float
    description: str
    in_words: list[str]
    frontier_label: str = TIMELINE_FRONTIER_LABEL
    width: int = TIMELINE_WIDTH
    height: int = TIMELINE_HEIGHT
    plot_left: int = TIMELINE_LEFT
    plot_right: int = TIMELINE_RIGHT
    plot_top: int = TIMELINE_TOP
    plot_bottom: int = TIMELINE_BOTTOM

    @property
    def draws_you_line(self) -> bool:
        """A line needs two audits; a single audit is only a dot."""
        return len(self.points) > 1

    @property
    def axis_label_x(self) -> int:
        return self.plot_left - 8

    @property
    def tick_end_y(self) -> int:
        return self.plot_bottom + 5

    @property
    def tick_label_y(self) -> int:
        return self.plot_bottom + 20

    @property
    def today_label_y(self) -> int:
        return self.plot_top - 10


def quarter_starts(start: date, end: date) -> list[date]:
    """The first days of quarters (1 Jan, 1 Apr, 1 Jul, 1 Oct) from start to end inclusive."""
    month = next(m for m in reversed(QUARTER_START_MONTHS) if m <= start.month)
    day = date(start.year, month, 1)
    if day < start:
        day = _next_quarter(day)
    days = []
    while day <= end:
        days.append(day)
        day = _next_quarter(day)
    return days


def _next_quarter(day: date) -> date:
    if day.month == 10:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 3, 1)


def _thin(ticks: list[date]) -> list[date]:
    step = math.ceil(len(ticks) / TIMELINE_MAX_TICKS) if ticks else 1
    return ticks[::step]


def _describe(
    points: Sequence[tuple[date, float]],
    frontier: Callable[[date], float],
    start: date,
    end: date,
    frontier_label: str,
) -> str:
    opening = (
        "Your rung on the ladder over time, from rung 1 (technical execution) at the "
        "bottom to rung 5 (the relationship is the product) at the top."
    )
    if not points:
        yours = "No completed audits yet."
    elif len(points) == 1:
        taken, rung = points[0]
        yours = f"One completed audit: rung {_rung_text(rung)} on {_day_text(taken)}."
    else:
        (first, first_rung), (last, last_rung) = points[0], points[-1]
        yours = (
            f"{len(points)} completed audits: rung {_rung_text(first_rung)} on "
            f"{_day_text(first)}, latest rung {_rung_text(last_rung)} on {_day_text(last)}."
        )
    theirs = (
        f"The {frontier_label} goes from rung {_rung_text(frontier(start))} on "
        f"{_day_text(start)} to rung {_rung_text(frontier(end))} on {_day_text(end)}."
    )
    return f"{opening} {yours} {theirs}"


def timeline_chart(
    points: Sequence[tuple[date, float]],
    frontier: Callable[[date], float],
    today: date,
    *,
    title: str = "Your rung over time",
) -> TimelineChart:
    """Place a person's rung at each completed audit (date taken, rung) against the
    frontier's position on each date, from a month before the first audit (or today,
    if earlier) to a quarter past today or the last audit, whichever is later."""
    ordered = sorted(points, key=lambda point: point[0])
    # Today bounds both ends too, so the "today" marker is on the chart even when
    # an audit is dated after it.
    first = min(today, ordered[0][0]) if ordered else today
    last = max(today, ordered[-1][0]) if ordered else today
    start = first - timedelta(days=TIMELINE_LEAD_DAYS)
    end = last + timedelta(days=TIMELINE_LOOKAHEAD_DAYS)

    placed = tuple(
        TimelinePoint(
            x=_x_for(taken, start, end),
            y=timeline_y_for(rung),
            taken=taken,
            rung=rung,
            label=f"Rung {_rung_text(rung)} on {_day_text(taken)}",
        )
        for taken, rung in ordered
    )

    # Every audit's date and today are sampled too, so the line passes exactly
    # through the values the words give.
    span = (end - start).days
    samples = {start + timedelta(days=d) for d in range(0, span, TIMELINE_SAMPLE_DAYS)}
    samples |= {start, end, today, *(taken for taken, _ in ordered)}
    frontier_line = _polyline(
        [(_x_for(day, start, end), timeline_y_for(frontier(day))) for day in sorted(samples)]
    )

    in_words = [
        f"{_day_text(taken)}: you at rung {_rung_text(rung)}; "
        f"the AI frontier at {_rung_text(frontier(taken))}."
        for taken, rung in ordered
    ]
    in_words.append(f"Today, {_day_text(today)}: the AI frontier at {_rung_text(frontier(today))}.")

    return TimelineChart(
        title=title,
        start=start,
        end=end,
        today=today,
        points=placed,
        you_line=_polyline([(p.x, p.y) for p in placed]),
        frontier_line=frontier_line,
        gridlines=tuple(
            TimelineGridline(rung, timeline_y_for(rung), f"Rung {rung}") for rung in range(1, 6)
        ),
        ticks=tuple(
            TimelineTick(_x_for(day, start, end), day, f"{day:%b %Y}")
            for day in _thin(quarter_starts(start, end))
        ),
        today_x=_x_for(today, start, end),
        frontier_today=frontier(today),
        description=_describe(ordered, frontier, start, end, TIMELINE_FRONTIER_LABEL),
        in_words=in_words,
    )
