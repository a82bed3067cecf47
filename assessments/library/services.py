"""Loading the reference library into the database, and the figures derived from it.

The files live in ``reference/`` (see reference/PROVENANCE.md). Loading is an upsert
keyed on natural ids, so running it twice leaves the same rows with the same primary
keys, and rows that left the files are removed.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import itertools
import logging
import operator
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, reduce
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from assessments.models import (
    PHYSICAL_SHARE_THRESHOLD,
    Activity,
    HorizonMeasurement,
    Occupation,
    OccupationTitle,
    TaskStatement,
)
from ladder.method import chart, matching, runway, scoring, search, stats

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"
BATCH = 2000
MAX_PHRASE = 500  # characters of an activity phrase the matcher reads

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadReport:
    occupations: int
    tasks: int
    horizons: int
    removed: int
    titles: int = 0


def _rows(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def _int(value: str) -> int | None:
    return round(float(value)) if value.strip() else None


def _observed_exposure(folder: Path) -> dict[str, float]:
    """Anthropic's observed exposure by 6-digit SOC 2018 code."""
    return {
        row["occ_code"]: float(row["observed_exposure"])
        for row in _rows(folder / "aei_observed_exposure_by_soc.csv.gz")
        if row["observed_exposure"].strip()
    }


def _evidence(folder: Path) -> dict[tuple[str, int], dict[str, str]]:
    return {
        (row["onet_soc_code"], int(row["task_id"])): row
        for row in _rows(folder / "task_evidence.csv.gz")
    }


def _titles(folder: Path, occupation_ids: dict[str, int]) -> list[OccupationTitle]:
    titles = [
        OccupationTitle(
            occupation_id=occupation_ids[row["onet_soc_code"]],
            title=row["alternate_title"].strip(),
            short_title=row["short_title"].strip(),
            kind=OccupationTitle.Kind.ALTERNATE,
        )
        for row in _rows(folder / "alternate_titles.csv.gz")
        if row["onet_soc_code"] in occupation_ids
    ]
    titles += [
        OccupationTitle(
            occupation_id=occupation_ids[row["onet_soc_code"]],
            title=row["reported_title"].strip(),
            kind=OccupationTitle.Kind.REPORTED,
        )
        for row in _rows(folder / "reported_titles.csv.gz")
        if row["onet_soc_code"] in occupation_ids
    ]
    return titles


def _occupations(folder: Path) -> list[Occupation]:
    observed = _observed_exposure(folder)
    return [
        Occupation(
            code=row["onet_soc_code"],
            soc2018=row["soc2018"],
            title=row["title"],
            rung=_decimal(row["rung"]),
            rung_quintile=_int(row["rung_int"]),
            taskweighted_tier=_decimal(row["ms_taskweighted_tier"]),
            share_physical=_float(row["ms_share_physical"]),
            gpt4_exposure=_float(row["gpt4_exposure_beta"]),
            human_exposure=_float(row["human_exposure_beta"]),
            ai_applicability=_float(row["ms_ai_applicability"]),
            observed_exposure=observed.get(row["soc2018"]),
            employment=_int(row["employment_2021"]),
            median_wage=_int(row["median_wage_2021"]),
        )
        for row in _rows(folder / "occupations.csv")
    ]


def _horizons(folder: Path) -> list[HorizonMeasurement]:
    return [
        HorizonMeasurement(
            suite=row["suite"],
            model=row["model"],
            released=date.fromisoformat(row["release_date"]),
            is_sota=row["is_sota"] == "True",
            p50_minutes=float(row["p50_minutes"]),
            p50_ci_low=_float(row["p50_ci_low"]),
            p50_ci_high=_float(row["p50_ci_high"]),
            p80_minutes=_float(row["p80_minutes"]),
        )
        for row in _rows(folder / "ai_time_horizons.csv")
    ]


@transaction.atomic
def load_reference(folder: Path = REFERENCE_DIR) -> LoadReport:
    """Upsert occupations, task statements and AI time horizons from ``folder``."""
    occupations = _occupations(folder)
    Occupation.objects.bulk_create(
        occupations,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            f.name for f in Occupation._meta.concrete_fields if f.name not in {"id", "code"}
        ],
    )
    codes = {o.code for o in occupations}
    removed, _ = Occupation.objects.exclude(code__in=codes).delete()
    occupation_ids = dict(Occupation.objects.values_list("code", "id"))

    evidence = _evidence(folder)
    tasks = []
    for row in _rows(folder / "tasks.csv.gz"):
        more = evidence.get((row["onet_soc_code"], int(row["task_id"])), {})
        tasks.append(
            TaskStatement(
                occupation_id=occupation_ids[row["onet_soc_code"]],
                task_id=int(row["task_id"]),
                text=row["task"],
                task_type=row["task_type"],
                suggested_score=_decimal(row["suggested_score"])
                or scoring.suggested_score(more.get("onet301_dwa_ids", "").split(";")),
                exposure=row["gpt4_exposure"],
                importance=_decimal(more.get("onet_importance", "")),
                observed_use=_float(more.get("aei_task_penetration", "")),
                hands_on=more.get("physical_gwa") == "True",
            )
        )
    TaskStatement.objects.bulk_create(
        tasks,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["occupation", "task_id"],
        update_fields=[
            "text",
            "task_type",
            "suggested_score",
            "exposure",
            "importance",
            "observed_use",
            "hands_on",
        ],
    )
    wanted = {(t.occupation_id, t.task_id) for t in tasks}
    stale = [
        pk
        for pk, occupation_id, task_id in TaskStatement.objects.values_list(
            "pk", "occupation_id", "task_id"
        )
        if (occupation_id, task_id) not in wanted
    ]
    removed += TaskStatement.objects.filter(pk__in=stale).delete()[0] if stale else 0

    # Titles have no natural key worth keeping: replaced whole, in the same transaction.
    OccupationTitle.objects.all().delete()
    titles = _titles(folder, occupation_ids)
    OccupationTitle.objects.bulk_create(titles, batch_size=BATCH)

    horizons = _horizons(folder)
    HorizonMeasurement.objects.bulk_create(
        horizons,
        update_conflicts=True,
        unique_fields=["suite", "model"],
        update_fields=[
            "released",
            "is_sota",
            "p50_minutes",
            "p50_ci_low",
            "p50_ci_high",
            "p80_minutes",
        ],
    )
    keep = {(h.suite, h.model) for h in horizons}
    stale_horizons = [
        pk
        for pk, suite, model in HorizonMeasurement.objects.values_list("pk", "suite", "model")
        if (suite, model) not in keep
    ]
    removed += (
        HorizonMeasurement.objects.filter(pk__in=stale_horizons).delete()[0]
        if stale_horizons
        else 0
    )

    transaction.on_commit(clear_derived)
    return LoadReport(len(occupations), len(tasks), len(horizons), removed, len(titles))


def clear_derived() -> None:
    """Forget figures computed from the reference tables (after a reload)."""
    scenarios.cache_clear()
    exposure_check.cache_clear()
    source_distributions.cache_clear()
    title_index.cache_clear()


@cache
def scenarios() -> tuple[runway.Scenario, runway.Scenario, runway.Scenario]:
    """Slow, baseline and fast scenarios, fitted to the loaded AI time horizons.

    Computed once per process: the table only changes when ``load_reference`` runs.
    """
    points = [
        runway.HorizonPoint(
            suite=h.suite,
            model=h.model,
            released=h.released,
            is_sota=h.is_sota,
            p50_minutes=h.p50_minutes,
        )
        for h in HorizonMeasurement.objects.all()
    ]
    return runway.scenarios_from_horizons(points)


@dataclass(frozen=True)
class ExposureCheck:
    """Spearman correlation between rung and GPT-4 exposure, non-manual occupations."""

    rho: float
    n: int
    threshold: float


@cache
def exposure_check() -> ExposureCheck:
    rows = Occupation.objects.filter(
        rung__isnull=False,
        gpt4_exposure__isnull=False,
        share_physical__lte=PHYSICAL_SHARE_THRESHOLD,
    ).values_list("rung", "gpt4_exposure")
    pairs = [(float(r), e) for r, e in rows if r is not None and e is not None]
    rho = stats.spearman([r for r, _ in pairs], [e for _, e in pairs])
    return ExposureCheck(rho=rho, n=len(pairs), threshold=PHYSICAL_SHARE_THRESHOLD)


# --- Three sources on AI and an occupation, side by side ----------------------------


@dataclass(frozen=True)
class Source:
    """One measure of AI and an occupation: what it is, its value on its own scale, and
    where that value sits among all occupations the source covers."""

    field: str
    name: str
    citation: str
    year: int
    measures: str
    value: float | None
    percentile: float | None  # 0–1 among occupations with a value; None without one

    @property
    def is_percent(self) -> bool:
        return self.field != "ai_applicability"


SOURCES = (
    (
        "gpt4_exposure",
        "Capability on paper",
        "Eloundou et al., “GPTs are GPTs”, Science",
        2024,
        "share of the occupation's tasks a language model with tools could do in half the time",
    ),
    (
        "observed_exposure",
        "Observed use",
        "Anthropic Economic Index (Massenkoff & McCrory)",
        2026,
        "share of the occupation's work seen being done with Claude",
    ),
    (
        "ai_applicability",
        "Applicability in practice",
        "Microsoft, Tomlinson et al., “Working with AI”",
        2025,
        "how much of the work Copilot conversations cover, and how well (0 to about 0.5)",
    ),
)
DISAGREE_AT = 0.4  # percentile points between the highest and lowest placement


@cache
def source_distributions() -> dict[str, list[float]]:
    """Each source's values over all occupations, sorted (once per process)."""
    fields = [field for field, *_ in SOURCES]
    columns: dict[str, list[float]] = {field: [] for field in fields}
    for row in Occupation.objects.values_list(*fields):
        for field, value in zip(fields, row, strict=True):
            if value is not None:
                columns[field].append(float(value))
    return {field: sorted(values) for field, values in columns.items()}


def ai_sources(occupation: Occupation) -> list[Source]:
    """The three sources for ``occupation``, each placed among all occupations."""
    found = []
    for field, name, citation, year, measures in SOURCES:
        value = getattr(occupation, field)
        ordered = source_distributions()[field]
        found.append(
            Source(
                field,
                name,
                citation,
                year,
                measures,
                value,
                stats.percentile_rank(float(value), ordered)
                if value is not None and ordered
                else None,
            )
        )
    return found


def disagreement(sources: list[Source]) -> tuple[Source, Source] | None:
    """The source that places the occupation highest and the one that places it
    lowest among occupations, when they are DISAGREE_AT or more apart."""
    placed = [s for s in sources if s.percentile is not None]
    if len(placed) < 2:
        return None
    high = max(placed, key=lambda s: s.percentile or 0.0)
    low = min(placed, key=lambda s: s.percentile or 0.0)
    gap = (high.percentile or 0.0) - (low.percentile or 0.0)
    return (high, low) if gap >= DISAGREE_AT else None


_SORT_KEYS: dict[str, Callable[[Occupation], Any]] = {
    "rung": lambda o: o.rung,
    "exposure": lambda o: o.gpt4_exposure,
}


def sort_occupations(occupations: list[Occupation], sort: str) -> list[Occupation]:
    """Occupations in the order the search page asks for ("relevance" keeps the
    search's order; "rung", "-rung", "exposure", "-exposure"); unknown values last."""
    if sort == "relevance":
        return occupations
    key = _SORT_KEYS[sort.lstrip("-")]
    known = [o for o in occupations if key(o) is not None]
    unknown = [o for o in occupations if key(o) is None]
    known.sort(key=key, reverse=sort.startswith("-"))
    return known + unknown


PER_WORD = 50  # titles kept per occupation when a prefix spans many words, shortest first


@dataclass(frozen=True)
class TitleIndex:
    """The 56,000 job titles people use, in memory: for every title word (normalised,
    sorted for prefix lookups) the occupations whose titles hold it, each with those
    titles shortest first; and the short titles ("RN", "CPA") whole."""

    words: list[str]
    holders: dict[str, dict[int, list[str]]]
    short: dict[str, dict[int, list[str]]]

    def find(self, word: str) -> dict[int, list[str]]:
        """Occupation → titles with a word starting with ``word`` (5 letters or more);
        with the whole word or that short title (3–4: "tech" begins thousands of
        titles, and as-you-type search sends every prefix); one or two letters only as
        a whole short title ("RN"). A long word no title holds may be two title words
        typed as one ("frontend": "Front End")."""
        if len(word) <= 2:
            return self.short.get(word, {})
        if len(word) <= 4:
            return _merged([self.holders.get(word, {}), self.short.get(word, {})])
        start = bisect.bisect_left(self.words, word)
        found = [
            self.holders[w]
            for w in itertools.takewhile(
                lambda w: w.startswith(word), itertools.islice(self.words, start, None)
            )
        ]
        if not found and len(word) >= 6:
            for cut in range(3, len(word) - 2):
                first, second = self.holders.get(word[:cut]), self.holders.get(word[cut:])
                if first and second:
                    found.append(
                        {
                            occupation: [t for t in titles if t in set(second[occupation])]
                            for occupation, titles in first.items()
                            if occupation in second
                        }
                    )
        return _merged(found)


def _merged(parts: list[dict[int, list[str]]]) -> dict[int, list[str]]:
    if len(parts) == 1:
        return parts[0]
    merged: dict[int, list[str]] = {}
    for part in parts:
        for occupation, titles in part.items():
            merged.setdefault(occupation, []).extend(titles)
    return {
        occupation: sorted(set(titles), key=lambda t: (len(t), t))[:PER_WORD]
        for occupation, titles in merged.items()
    }


@cache
def title_index() -> TitleIndex:
    """Built once per process from OccupationTitle (one query), like ``scenarios``."""
    holders: dict[str, dict[int, list[str]]] = {}
    short: dict[str, dict[int, list[str]]] = {}
    for occupation_id, title, short_title in OccupationTitle.objects.values_list(
        "occupation_id", "title", "short_title"
    ):
        for word in set(search.normalise(title).split()):
            holders.setdefault(word, {}).setdefault(occupation_id, []).append(title)
        if short_title:
            key = search.normalise(short_title)
            short.setdefault(key, {}).setdefault(occupation_id, []).append(title)
    for table in (holders, short):
        for by_occupation in table.values():
            for titles in by_occupation.values():
                titles.sort(key=lambda t: (len(t), t))
    return TitleIndex(sorted(holders), holders, short)


TITLES_SCORED = 5  # per occupation: the shortest matching titles score best anyway


def _shortest(titles: Counter[str] | None) -> list[str]:
    """An occupation's few best candidate titles to score: those holding the most of
    the typed words, then the shortest (a title scores higher the less else it says),
    so the rest can't win, and "manag" alone matches thousands."""
    if not titles:
        return []
    return sorted(titles, key=lambda t: (-titles[t], len(t), t))[:TITLES_SCORED]


def find_occupations(raw_query: str) -> list[Occupation]:
    """Occupations matching a free-text query, best first (one database query, once
    the titles are in memory): by their O*NET title or by a title people use for them
    ("RN", "realtor", "DevOps engineer"). An occupation found by another title carries
    it as ``matched_title``."""
    query = search.parse(raw_query)
    if query.is_empty:
        return []
    terms = search.search_terms(query)
    titles = title_index()
    # Titles people use are searched with the words they typed (the synonym table is
    # for O*NET's own titles).
    others: dict[int, Counter[str]] = {}  # occupation → its titles, with words found
    for word in query.words:
        for occupation_id, hits in titles.find(word).items():
            others.setdefault(occupation_id, Counter()).update(set(hits))
    candidates = Occupation.objects.filter(
        reduce(operator.or_, (Q(title__icontains=term) for term in terms)) | Q(pk__in=list(others))
    ).only("code", "title", "rung", "gpt4_exposure", "share_physical", "employment")
    found: list[Occupation] = []
    for occupation, matched in search.rank_with_titles(
        query, ((o, _shortest(others.get(o.pk))) for o in candidates)
    ):
        occupation.matched_title = matched
        found.append(occupation)
    return found


def frontier_on(day: date) -> chart.Frontier:
    """Where AI reaches on ``day``: the baseline scenario, with the slow–fast range."""
    slow, baseline, fast = scenarios()
    return chart.Frontier(
        baseline=runway.frontier_at(day, baseline),
        low=runway.frontier_at(day, slow),
        high=runway.frontier_at(day, fast),
    )


# --- Matching a person's own words to O*NET task statements --------------------------


@dataclass(frozen=True)
class TaskMatch:
    task: TaskStatement
    similarity: float


@dataclass(frozen=True)
class ActivityMatches:
    phrase: str
    no_match: bool
    matches: list[TaskMatch]

    def as_json(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "no_match": self.no_match,
            "matches": [
                {
                    "task_id": m.task.task_id,
                    "onet_soc_code": m.task.occupation.code,
                    "task": m.task.text,
                    "similarity": round(m.similarity, 4),
                    "suggested_score": (
                        float(m.task.suggested_score)
                        if m.task.suggested_score is not None
                        else None
                    ),
                }
                for m in self.matches
            ],
        }


def warm_matcher() -> None:
    """Build the matcher's index now (a web worker starting), so no request waits."""
    started = time.perf_counter()
    try:
        matching.index_for(REFERENCE_DIR)
    except Exception:  # the site works without it: the scores step says "no close task"
        log.exception("The activity matcher could not be built")
        return
    log.info("Activity matcher ready in %.1f s", time.perf_counter() - started)


def match_keys(
    phrase: str, *, occupation: str | None = None, scope: str = "all", top: int = 10
) -> matching.Result:
    """The matcher's answer for ``phrase``, as task keys (no database)."""
    return matching.index_for(REFERENCE_DIR).match(
        phrase[:MAX_PHRASE], occupation=occupation, scope=scope, top=top
    )


def tasks_by_key(task_ids: set[int]) -> dict[tuple[str, int], TaskStatement]:
    """The loaded task statements with these O*NET task ids, by the matcher's key
    (occupation code, task id), with their occupation (one query)."""
    if not task_ids:
        return {}
    return {
        (t.occupation.code, t.task_id): t
        for t in TaskStatement.objects.filter(task_id__in=task_ids).select_related("occupation")
    }


def match_activity(
    phrase: str, *, occupation: str | None = None, scope: str = "all", top: int = 10
) -> ActivityMatches:
    """The task statements closest to ``phrase`` (the matcher in ``ladder.method.
    matching``, its index built once per process from ``reference/``), read from the
    loaded library. Nothing leaves the server. A library that was never loaded gives
    no matches and a log line."""
    found = match_keys(phrase, occupation=occupation, scope=scope, top=top)
    ids = {m.task_id for m in found.matches}
    tasks = tasks_by_key(ids)
    if ids and not tasks:
        log.warning("The reference library isn't loaded: run manage.py load_reference.")
    matches = [
        TaskMatch(tasks[(m.onet_soc_code, m.task_id)], m.similarity)
        for m in found.matches
        if (m.onet_soc_code, m.task_id) in tasks
    ]
    return ActivityMatches(phrase, found.no_match or not matches, matches)


@dataclass(frozen=True)
class TaskEvidence:
    """A task statement shown beside an activity: how like it it is (None for a task
    the person picked from the suggestions), and whether the person linked it."""

    task: TaskStatement
    similarity: float | None
    linked: bool


SECOND_OPINION_AT = 2  # points between a score and the linked task's suggested score


def evidence_for(activities: Sequence[Activity]) -> dict[int, list[TaskEvidence]]:
    """Each activity's linked task (first) and its stored matches, as task statements
    with their occupation (one query for all of them)."""
    wanted = {m["task"] for a in activities for m in a.matches} | {
        a.task_id for a in activities if a.task_id
    }
    tasks = (
        TaskStatement.objects.select_related("occupation").order_by().in_bulk(wanted)
        if wanted
        else {}
    )
    found: dict[int, list[TaskEvidence]] = {}
    for activity in activities:
        rows = []
        if activity.task_id in tasks:
            rows.append(TaskEvidence(tasks[activity.task_id], None, linked=True))
        for match in activity.matches:
            task = tasks.get(match["task"])
            if task is not None and task.pk != activity.task_id:
                rows.append(TaskEvidence(task, match["similarity"], linked=False))
        found[activity.pk] = rows
    return found


def second_opinion(score: int | None, suggested: Decimal | float | None) -> str:
    """ "above" or "below" when the person's score is 2 or more points from the linked
    task's suggested score, else "" (the data agrees, or there is nothing to compare)."""
    if score is None or suggested is None:
        return ""
    gap = score - float(suggested)
    if abs(gap) < SECOND_OPINION_AT:
        return ""
    return "above" if gap > 0 else "below"
