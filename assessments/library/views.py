"""Pages of the reference library: benchmark search, occupation pages, and how the
numbers are made."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from assessments.library import services as library
from assessments.library.forms import BenchmarkSearchForm
from assessments.library.services import find_occupations, frontier_on, sort_occupations
from assessments.models import Occupation
from ladder.http import HtmxHttpRequest, is_partial
from ladder.method import chart, runway

RESULT_LIMIT = 50
EXAMPLE_SEARCHES = (
    "software developer",
    "lawyer",
    "realtor",
    "therapist",
    "financial advisor",
    "nurse",
)


@require_safe
@vary_on_headers("HX-Request")
def benchmarks(request: HtmxHttpRequest) -> HttpResponse:
    form = BenchmarkSearchForm(request.GET)
    results: list[Occupation] = []
    query = sort = ""
    if form.is_valid():
        query, sort = form.cleaned_data["q"].strip(), form.cleaned_data["sort"]
        results = sort_occupations(find_occupations(query), sort)
    context = {
        "form": form,
        "query": query,
        "sort": sort or "relevance",
        "results": results[:RESULT_LIMIT],
        "total": len(results),
        "limit": RESULT_LIMIT,
        "examples": EXAMPLE_SEARCHES,
    }
    partial = is_partial(request)
    template = "assessments/benchmarks.html#results" if partial else "assessments/benchmarks.html"
    return render(request, template, context)


@require_safe
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
            runway.runway_range(float(occupation.rung), today, library.scenarios())
            if occupation.rung
            else None
        ),
        "label_caveat": LABEL_CAVEATS.get(occupation.code),
        "sources": (sources := library.ai_sources(occupation)),
        "disagreement": library.disagreement(sources),
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


@require_safe
def about_data(request: HttpRequest) -> HttpResponse:
    context = {
        "check": library.exposure_check(),
        "counts": {
            "occupations": Occupation.objects.count(),
            "with_rung": Occupation.objects.filter(rung__isnull=False).count(),
        },
    }
    return render(request, "assessments/about_data.html", context)


@require_safe
def about_runway(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scenarios = library.scenarios()
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
