"""Small statistics the ladder's evidence checks need, without a numerics dependency."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence


def average_ranks(values: Sequence[float]) -> list[float]:
    """Rank ``values`` from 1 upwards, giving tied values the mean of their positions.

    ``[10, 20, 20, 30]`` ranks as ``[1, 2.5, 2.5, 4]``. Raises ValueError on NaN,
    which has no place in an order.
    """
    if any(math.isnan(value) for value in values):
        raise ValueError("Cannot rank NaN.")
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        # Positions start..end (0-based) share the mean of ranks start+1..end+1.
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the average ranks.

    Raises ValueError when the sequences differ in length, hold fewer than three
    pairs, or one of them is constant (its ranks have no spread to correlate).
    """
    if len(xs) != len(ys):
        raise ValueError(f"Need pairs: got {len(xs)} x values and {len(ys)} y values.")
    if len(xs) < 3:
        raise ValueError("Spearman's correlation needs at least three pairs.")
    rank_x = average_ranks(xs)
    rank_y = average_ranks(ys)
    # Every rank vector of length n has the same mean, (n + 1) / 2.
    mean = (len(xs) + 1) / 2
    dx = [rank - mean for rank in rank_x]
    dy = [rank - mean for rank in rank_y]
    spread_x = sum(d * d for d in dx)
    spread_y = sum(d * d for d in dy)
    if spread_x == 0 or spread_y == 0:
        raise ValueError("Spearman's correlation is undefined when a sequence is constant.")
    covariance = sum(a * b for a, b in zip(dx, dy, strict=True))
    # Rounding can push a perfect correlation a hair past ±1.
    return max(-1.0, min(1.0, covariance / math.sqrt(spread_x * spread_y)))


def percentile_rank(value: float, ordered: Sequence[float]) -> float:
    """The share of ``ordered`` (sorted ascending) below ``value``, ties counted half:
    0.0 below everything, 1.0 above everything, 0.5 at the median. Raises ValueError
    for an empty sequence."""
    if not ordered:
        raise ValueError("Cannot place a value among no values.")
    below = bisect.bisect_left(ordered, value)
    ties = bisect.bisect_right(ordered, value) - below
    return (below + ties / 2) / len(ordered)
