"""A task's suggested score from its work-activity links (the rubric's GWA tiers)."""

from __future__ import annotations

import csv
import gzip
from decimal import Decimal
from pathlib import Path

from ladder.method.scoring import gwa_tier, suggested_score

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


def test_tiers_follow_the_rubric():
    assert gwa_tier("4.A.4.a.5") == 5  # assisting and caring for others
    assert gwa_tier("4.A.4.b.3") == 4  # training and teaching
    assert gwa_tier("4.A.4.a.2") == 3  # communicating with colleagues
    assert gwa_tier("4.A.2.b.4") == 2  # scheduling work (any 4.A.2.b)
    assert gwa_tier("4.A.3.b.1") == 1  # working with computers
    assert gwa_tier("nonsense") == 1


def test_each_detailed_activity_counts_as_its_general_one():
    # Two DWAs under "communicating with colleagues" (3) and one under negotiating (5).
    links = ["4.A.4.a.2.I03.D14", "4.A.4.a.2.I11.D06", "4.A.4.a.7.I03.D01"]
    assert suggested_score(links) == Decimal("3.7")
    assert suggested_score([]) is None
    assert suggested_score([""]) is None


def test_the_rule_reproduces_every_score_in_the_reference_file():
    with gzip.open(REFERENCE / "tasks.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["suggested_score"] and r["onet181_dwa_ids"]]
    assert len(rows) > 16_000
    wrong = [
        r["task_id"]
        for r in rows
        if suggested_score(r["onet181_dwa_ids"].split(";")) != Decimal(r["suggested_score"])
    ]
    assert wrong == []
