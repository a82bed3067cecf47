"""Spearman's rank correlation and the average ranks behind it."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ladder.method.stats import average_ranks, percentile_rank, spearman

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


def paired(min_size: int = 3, max_size: int = 30):
    """Two equally long, non-constant lists of whole numbers (floats by value)."""
    values = st.integers(min_value=-1000, max_value=1000)
    return st.integers(min_value=min_size, max_value=max_size).flatmap(
        lambda n: st.tuples(
            st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
        )
    )


def test_average_ranks_without_ties():
    assert average_ranks([30, 10, 20]) == [3, 1, 2]


def test_average_ranks_share_the_mean_position_among_ties():
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([5, 5, 5]) == [2, 2, 2]
    assert average_ranks([2, 1, 2, 1, 3]) == [3.5, 1.5, 3.5, 1.5, 5]


def test_average_ranks_of_nothing():
    assert average_ranks([]) == []


def test_average_ranks_refuse_nan():
    with pytest.raises(ValueError, match="NaN"):
        average_ranks([1, math.nan, 2])


def test_perfect_agreement_is_one():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)


def test_perfect_disagreement_is_minus_one():
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)


def test_any_monotone_relation_is_perfect():
    xs = [1, 2, 3, 4, 5]
    assert spearman(xs, [x**3 for x in xs]) == pytest.approx(1.0)


def test_ties_by_hand():
    # x ranks 1, 2.5, 2.5, 4 and y ranks 1, 3, 2, 4, both centred on 2.5:
    # covariance sum 4.5, spreads 4.5 and 5, so rho = 4.5 / sqrt(22.5) = 3 / sqrt(10).
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(3 / math.sqrt(10))


def test_textbook_example_without_ties():
    # Ten people's IQ against weekly hours of television; the squared rank
    # differences sum to 194, so rho = 1 - 6 * 194 / (10 * 99) = -29 / 165.
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    hours = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    assert spearman(iq, hours) == pytest.approx(-29 / 165)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="pairs"):
        spearman([1, 2, 3], [1, 2])


def test_needs_three_pairs():
    with pytest.raises(ValueError, match="at least three"):
        spearman([1, 2], [2, 1])


@pytest.mark.parametrize(("xs", "ys"), [([4, 4, 4], [1, 2, 3]), ([1, 2, 3], [7, 7, 7])])
def test_constant_sequence_has_no_correlation(xs, ys):
    with pytest.raises(ValueError, match="constant"):
        spearman(xs, ys)


@PROPERTY_SETTINGS
@given(paired())
def test_result_lies_between_minus_one_and_one(pair):
    xs, ys = pair
    assume(len(set(xs)) > 1 and len(set(ys)) > 1)
    assert -1.0 <= spearman(xs, ys) <= 1.0


@PROPERTY_SETTINGS
@given(paired())
def test_symmetric_in_its_arguments(pair):
    xs, ys = pair
    assume(len(set(xs)) > 1 and len(set(ys)) > 1)
    assert spearman(xs, ys) == spearman(ys, xs)


@PROPERTY_SETTINGS
@given(paired())
def test_unchanged_by_a_strictly_increasing_transformation(pair):
    xs, ys = pair
    assume(len(set(xs)) > 1 and len(set(ys)) > 1)
    # Exact on whole numbers of this size, so no two values collide.
    transformed = [x**3 + 5 * x - 7 for x in xs]
    assert spearman(transformed, ys) == spearman(xs, ys)


@PROPERTY_SETTINGS
@given(paired())
def test_reversing_one_order_flips_the_sign(pair):
    xs, ys = pair
    assume(len(set(xs)) > 1 and len(set(ys)) > 1)
    assert spearman([-x for x in xs], ys) == pytest.approx(-spearman(xs, ys))


@PROPERTY_SETTINGS
@given(st.lists(st.integers(min_value=-50, max_value=50), max_size=40))
def test_ranks_sum_as_if_there_were_no_ties(values):
    ranks = average_ranks(values)
    n = len(values)
    assert sum(ranks) == pytest.approx(n * (n + 1) / 2)
    for a, rank_a in zip(values, ranks, strict=True):
        for b, rank_b in zip(values, ranks, strict=True):
            assert (a < b) == (rank_a < rank_b)


def test_percentile_rank_places_a_value_among_others():
    ordered = [0.1, 0.2, 0.2, 0.4, 0.8]
    assert percentile_rank(0.0, ordered) == 0.0
    assert percentile_rank(0.9, ordered) == 1.0
    assert percentile_rank(0.2, ordered) == pytest.approx(0.4)  # 1 below, 2 tied
    assert percentile_rank(0.4, ordered) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="no values"):
        percentile_rank(0.5, [])
