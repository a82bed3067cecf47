"""Pages of the reference library: benchmark search, occupation pages, and how the
numbers are made."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from assessments import reference
from assessments.forms import BenchmarkSearchForm
from assessments.models import Occupation
from ladder import chart, runway, search


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware."""

    htmx: HtmxDetails


RESULT_LIMIT = 50
EXAMPLE_SEARCHES = (
    "software developer",
    "lawyer",
    "realtor",
    "therapist",
    "financial advisor",
    "nurse",
)
_SORT_KEYS: dict[str, Callable[[Occupation], Any]] = {
    "rung": lambda o: o.rung,
    "exposure": lambda o: o.gpt4_exposure,
}


def _sorted(occupations: list[Occupation], sort: str) -> list[Occupation]:
    if sort == "relevance":
        return occupations
    key = _SORT_KEYS[sort.lstrip("-")]
    known = [o for o in occupations if key(o) is not None]
    unknown = [o for o in occupations if key(o) is None]
    known.sort(key=key, reverse=sort.startswith("-"))
    return known + unknown


def find_occupations(raw_query: str) -> list[Occupation]:
    """Occupations matching a free-text query, best first (one database query)."""
    query = search.parse(raw_query)
    if query.is_empty:
        return []
    terms = search.search_terms(query)
    matches_any = reduce(operator.or_, (Q(title__icontains=term) for term in terms))
    candidates = Occupation.objects.filter(matches_any).only(
        "code", "title", "rung", "gpt4_exposure", "share_physical", "employment"
    )
    return search.rank(query, candidates)


@require_GET
@vary_on_headers("HX-Request")
def benchmarks(request: HtmxHttpRequest) -> HttpResponse:
    form = BenchmarkSearchForm(request.GET)
    results: list[Occupation] = []
    query = sort = ""
    if form.is_valid():
        query, sort = form.cleaned_data["q"].strip(), form.cleaned_data["sort"]
        results = _sorted(find_occupations(query), sort)
    context = {
        "form": form,
        "query": query,
        "sort": sort or "relevance",
        "results": results[:RESULT_LIMIT],
        "total": len(results),
        "limit": RESULT_LIMIT,
        "examples": EXAMPLE_SEARCHES,
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "assessments/benchmarks.html#results" if partial else "assessments/benchmarks.html"
    return render(request, template, context)


def frontier_on(day: date) -> chart.Frontier:
    """Where AI reaches on ``day``: the baseline scenario, with the slow–fast range."""
    slow, baseline, fast = reference.scenarios()
    return chart.Frontier(
        baseline=runway.frontier_at(day, baseline),
        low=runway.frontier_at(day, slow),
        high=runway.frontier_at(day, fast),
    )


@require_GET
def occupation_detail(request: HttpRequest, code: str) -> HttpResponse:
    occupation = get_object_or_404(Occupation, code=code)
    tasks = list(occupation.tasks.all())
    today = timezone.localdate()
    frontier = frontier_on(today)
    markers = (
        [chart.Marker(occupation.title, float(occupation.rung), "occupation")]
        if occupation.rung
        else []
    )
    context = {
        "occupation": occupation,
        "tasks": tasks,
        "chart": chart.ladder_chart(f"{occupation.title} on the ladder", markers, frontier),
        "runway": (
            runway.runway_range(float(occupation.rung), today, reference.scenarios())
            if occupation.rung
            else None
        ),
        "label_caveat": LABEL_CAVEATS.get(occupation.code),
    }
    return render(request, "assessments/occupation.html", context)


# Where the data and the method's folk placements disagree, say so on the page.
LABEL_CAVEATS = {
    "23-1011.00": "higher",  # Lawyers
    "17-1011.00": "higher",  # Architects, Except Landscape and Naval
    "23-2011.00": "low",  # Paralegals and Legal Assistants
    "23-2093.00": "low",  # Title Examiners, Abstractors, and Searchers
    "15-1251.00": "low",  # Computer Programmers
    "15-1252.00": "low",  # Software Developers
    "43-9021.00": "low",  # Data Entry Keyers
}


@require_GET
def about_data(request: HttpRequest) -> HttpResponse:
    context = {
        "check": reference.exposure_check(),
        "counts": {
            "occupations": Occupation.objects.count(),
            "with_rung": Occupation.objects.filter(rung__isnull=False).count(),
        },
    }
    return render(request, "assessments/about_data.html", context)


@require_GET
def about_runway(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scenarios = reference.scenarios()
    examples = [
        (rung, runway.runway_range(float(rung), today, scenarios))
        for rung in (1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5)
    ]
    context = {
        "scenarios": scenarios,
        "frontier": frontier_on(today),
        "examples": examples,
        "assumptions": runway.ASSUMPTIONS,
        "parameters": {
            "start": runway.FRONTIER_START,
            "start_date": runway.FRONTIER_START_DATE,
            "step": runway.STEP_PER_DOUBLING,
        },
        "today": today,
    }
    return render(request, "assessments/about_runway.html", context)
