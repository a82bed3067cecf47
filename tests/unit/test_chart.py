import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.method import chart


def test_rung_1_is_at_the_bottom_and_5_at_the_top():
    assert chart.y_for(1) == chart.BOTTOM
    assert chart.y_for(5) == chart.TOP
    assert chart.y_for(3) == (chart.TOP + chart.BOTTOM) / 2


def test_values_outside_the_ladder_are_clamped():
    assert chart.y_for(0) == chart.BOTTOM
    assert chart.y_for(9) == chart.TOP


def test_the_frontier_gets_a_label_of_its_own():
    drawn = chart.ladder_chart(
        "t", [chart.Marker("You", 2.0, "you")], chart.Frontier(1.8, 1.7, 1.9)
    )
    kinds = [p.marker.kind for p in drawn.markers]
    assert sorted(kinds) == ["frontier", "you"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=1, max_value=5, allow_nan=False), min_size=1, max_size=12))
def test_labels_never_overlap_and_stay_on_the_chart(values):
    placed = chart.place_labels(
        [chart.Marker(f"m{i}", v, "activity") for i, v in enumerate(values)]
    )
    ys = sorted(p.label_y for p in placed)
    assert all(b - a >= chart.LABEL_GAP - 1e-9 for a, b in itertools.pairwise(ys))
    assert ys[-1] <= chart.HEIGHT


def test_cluster_labels_break_at_commas():
    band = chart.Band("Coders, architects, contract attorneys", 1, 2)
    assert band.label_lines == ["Coders", "architects", "contract attorneys"]
