"""Evaluate the activity matcher (``ladder.method.matching``) on a labelled set.

    .venv/bin/python -m tests.bench.eval_matching [--csv PATH] [--blind]

The default set is the development set, ``../shared/eval/activity_matching_dev.csv``
from the repository root; its README defines the metrics, and ``metrics`` below
computes them:

- within the occupation (``scope="occupation"``): hit@1, hit@3, MRR@10 over the rows
  that have a good task in their occupation;
- across all occupations (``scope="all"``, the chosen occupation as a prior): the same,
  good = the row's good tasks in its occupation and in others;
- "no close task": precision and recall of ``no_match`` in the within-occupation
  result, against the rows whose ``best_task_id`` is blank;
- suggested-score error: mean |suggested score of the top match − ``my_score``|, where
  the top match is the first of the across-all result (what the app shows first), over
  the rows where both exist.

It also prints the index build time, p50/p95 latency of one ``match`` call and how
much the process's resident memory grew for the index. ``--blind`` first removes every
workplace-word key that occurs in the set's phrases: an estimate for phrases whose
jargon the table doesn't know (as a held-out set's may not).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CSV = ROOT.parent / "shared" / "eval" / "activity_matching_dev.csv"
REFERENCE = ROOT / "reference"


@dataclass(frozen=True)
class Row:
    id: str
    occupation: str
    phrase: str
    best: int | None
    good: frozenset[int]  # good tasks in the chosen occupation
    good_elsewhere: frozenset[int]  # good tasks of other occupations
    my_score: float | None


@dataclass(frozen=True)
class Outcome:
    """What the matcher returned for one row: task ids best first, and the flag."""

    within: list[int]
    across: list[int]
    no_match: bool
    across_similarities: tuple[float, ...] = ()  # of ``across``, in the same order


def _ids(cell: str) -> frozenset[int]:
    return frozenset(int(x) for x in cell.split(";") if x.strip())


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(
                id=r["id"],
                occupation=r["onet_soc_code"],
                phrase=r["phrase"],
                best=int(r["best_task_id"]) if r["best_task_id"].strip() else None,
                good=_ids(r["good_task_ids"]),
                good_elsewhere=_ids(r["good_task_ids_other_occupations"]),
                my_score=float(r["my_score"]) if r["my_score"].strip() else None,
            )
            for r in csv.DictReader(handle)
        ]


def read_suggested_scores(folder: Path) -> dict[int, float]:
    """Each task's suggested score as the library loads it: the file's, or for a task
    without O*NET 18.1 links the same rule over its O*NET 30.1 links."""
    from ladder.method.scoring import suggested_score

    with gzip.open(folder / "task_evidence.csv.gz", "rt", encoding="utf-8", newline="") as f:
        links = {int(r["task_id"]): r["onet301_dwa_ids"].split(";") for r in csv.DictReader(f)}
    scores: dict[int, float] = {}
    with gzip.open(folder / "tasks.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            task = int(r["task_id"])
            score = r["suggested_score"].strip() or suggested_score(links.get(task, []))
            if score:
                scores[task] = float(score)
    return scores


def _ranking(ranked: list[int], good: frozenset[int]) -> tuple[float, float, float]:
    """hit@1, hit@3 and reciprocal rank within the first ten."""
    rank = next((k for k, task in enumerate(ranked[:10], 1) if task in good), None)
    if rank is None:
        return 0.0, 0.0, 0.0
    return float(rank == 1), float(rank <= 3), 1.0 / rank


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def metrics(
    rows: Sequence[Row], outcomes: Sequence[Outcome], suggested: dict[int, float]
) -> dict[str, float]:
    """The eval README's metrics for ``outcomes[k]``, the matcher's answer to ``rows[k]``."""
    within = [_ranking(o.within, r.good) for r, o in zip(rows, outcomes, strict=True) if r.good]
    across = [
        _ranking(o.across, r.good | r.good_elsewhere)
        for r, o in zip(rows, outcomes, strict=True)
        if r.good | r.good_elsewhere
    ]
    flagged = [r.best is None for r, o in zip(rows, outcomes, strict=True) if o.no_match]
    blank = [o.no_match for r, o in zip(rows, outcomes, strict=True) if r.best is None]
    errors = [
        abs(suggested[o.across[0]] - r.my_score)
        for r, o in zip(rows, outcomes, strict=True)
        if r.my_score is not None and o.across and o.across[0] in suggested
    ]
    estimates = [
        (r.my_score, _tasks_like_this(o, suggested)) for r, o in zip(rows, outcomes, strict=True)
    ]
    blended = [abs(e - mine) for mine, e in estimates if mine is not None and e is not None]
    return {
        "within_hit1": _mean([h1 for h1, _, _ in within]),
        "within_hit3": _mean([h3 for _, h3, _ in within]),
        "within_mrr10": _mean([rr for _, _, rr in within]),
        "across_hit1": _mean([h1 for h1, _, _ in across]),
        "across_hit3": _mean([h3 for _, h3, _ in across]),
        "across_mrr10": _mean([rr for _, _, rr in across]),
        "no_match_precision": _mean([float(x) for x in flagged]),
        "no_match_recall": _mean([float(x) for x in blank]),
        "no_match_flagged": float(len(flagged)),
        "score_error": _mean(errors),
        "score_error_rows": float(len(errors)),
        "tasks_like_this_error": _mean(blended),
    }


def _tasks_like_this(outcome: Outcome, suggested: dict[int, float]) -> float | None:
    """A diagnostic beside the issue's metric: the suggested scores of the first ten
    across-all matches, weighted by similarity squared (None without any)."""
    pairs = [
        (s * s, suggested[t])
        for t, s in zip(outcome.across[:10], outcome.across_similarities, strict=False)
        if t in suggested and s > 0
    ]
    weight = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / weight if weight else None


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--blind", action="store_true", help="drop the set's jargon first")
    parser.add_argument("--misses", action="store_true", help="list the rows missed")
    parser.add_argument(
        "--via-command",
        action="store_true",
        help="ask `manage.py match_activities` (the stable interface; needs a loaded database)",
    )
    args = parser.parse_args(argv)
    rows = read_rows(args.csv)
    suggested = read_suggested_scores(REFERENCE)

    if args.via_command:  # Django first, so the memory figure is the matcher's alone
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
        django.setup()
        from django.core.management import call_command

    before = _rss_mb()
    from ladder.method import matching
    from ladder.method.workplace_words import EXPANSIONS

    if args.blind:
        for row in rows:
            ws = matching.words(row.phrase)
            grams = {" ".join(ws[i : i + n]) for n in (1, 2, 3) for i in range(len(ws))}
            stems = {matching._stems_of(gram) for gram in grams}
            for key in [k for k in EXPANSIONS if matching._stems_of(k) in stems]:
                del EXPANSIONS[key]
            for gram in grams:
                EXPANSIONS.pop(gram, None)
                EXPANSIONS.pop(gram.removesuffix("s"), None)
    started = time.perf_counter()
    index = matching.index_for(REFERENCE)  # the one the command asks, built once
    build = time.perf_counter() - started

    def ask(phrase: str, occupation: str, scope: str) -> tuple[bool, list[int], list[float]]:
        """(no_match, task ids best first, their similarities) for one phrase."""
        if args.via_command:
            out = io.StringIO()
            call_command(
                "match_activities",
                occupation=occupation,
                scope=scope,
                top=10,
                stdin=io.StringIO(phrase + "\n"),
                stdout=out,
            )
            answer = json.loads(out.getvalue())
            found = answer["matches"]
            return (
                answer["no_match"],
                [m["task_id"] for m in found],
                [m["similarity"] for m in found],
            )
        result = index.match(phrase, occupation=occupation, scope=scope)
        return (
            result.no_match,
            [m.task_id for m in result.matches],
            [m.similarity for m in result.matches],
        )

    if args.via_command:
        ask(rows[0].phrase, rows[0].occupation, "all")  # the command's index, built once

    outcomes: list[Outcome] = []
    timings: list[float] = []
    for _ in range(3):
        outcomes = []
        for row in rows:
            t0 = time.perf_counter()
            within = ask(row.phrase, row.occupation, "occupation")
            t1 = time.perf_counter()
            across = ask(row.phrase, row.occupation, "all")
            t2 = time.perf_counter()
            timings += [t1 - t0, t2 - t1]
            outcomes.append(
                Outcome(
                    within=within[1],
                    across=across[1],
                    no_match=within[0],
                    across_similarities=tuple(across[2]),
                )
            )
    grown = _rss_mb() - before
    result = metrics(rows, outcomes, suggested)
    quantiles = statistics.quantiles([t * 1000 for t in timings], n=20)

    via = "manage.py match_activities" if args.via_command else "the index in process"
    print(f"set: {args.csv} ({len(rows)} rows){' — blind to its jargon' if args.blind else ''}")
    print(f"asked: {via}")
    print(
        f"within occupation   hit@1 {result['within_hit1']:.2f}  "
        f"hit@3 {result['within_hit3']:.2f}  MRR@10 {result['within_mrr10']:.2f}"
    )
    print(
        f"across occupations  hit@1 {result['across_hit1']:.2f}  "
        f"hit@3 {result['across_hit3']:.2f}  MRR@10 {result['across_mrr10']:.2f}"
    )
    print(
        f"no close task       precision {result['no_match_precision']:.2f}  "
        f"recall {result['no_match_recall']:.2f}  "
        f"(flagged {result['no_match_flagged']:.0f})"
    )
    print(
        f"suggested-score error {result['score_error']:.2f} "
        f"(over {result['score_error_rows']:.0f} rows); the first ten matches' scores "
        f"weighted by similarity²: {result['tasks_like_this_error']:.2f}"
    )
    print(
        f"index build {build:.1f} s; match p50 {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {quantiles[18]:.1f} ms; memory +{grown:.0f} MB RSS"
    )
    if args.misses:
        for row, outcome in zip(rows, outcomes, strict=True):
            top = outcome.within[:3]
            if row.good and not row.good & set(top):
                print(f"  within miss {row.id}: {row.phrase!r} → {top} want {sorted(row.good)}")
            if not (row.good | row.good_elsewhere) & set(outcome.across[:3]):
                print(f"  across miss {row.id}: {row.phrase!r} → {outcome.across[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
