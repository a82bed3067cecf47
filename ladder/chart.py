"""Geometry of the ladder chart: a server-rendered SVG, so it prints, needs no chart
library and can be tested. The template draws what these functions place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
