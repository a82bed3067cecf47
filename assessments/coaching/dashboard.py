"""The coach dashboard's data: each client's latest result, sprint and status,
sorted and filtered in SQL, with the page's rows filled in by a few small queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.audits.services import moved_since
from assessments.coaching import services as coaching
from assessments.models import Plan, RungSnapshot
from ladder.method import scoring

SORTS = {
    "name": (Lower("client_name"), Lower("client__email")),
    "rung": (F("rung").desc(nulls_last=True),),
    "change": (F("change").desc(nulls_last=True),),
    "low": (F("low_share").desc(nulls_last=True),),
    "next": (F("client__next_checkin_at").asc(nulls_last=True),),
    "sprint": (F("sprint_end").asc(nulls_last=True),),
}


SORT_LABELS = {
    "name": "Name",
    "rung": "Latest rung",
    "change": "Change",
    "low": "Rungs 1–2",
    "next": "Next check-in",
    "sprint": "Sprint",
}


SHOWS = {"all": "All clients", "overdue": "Overdue", "sprint": "In a sprint"}


def _annotations() -> dict[str, Any]:
    """Everything the dashboard shows of a client, as annotations on their link, in the
    order they can be added (``change`` needs the rungs, ``overdue`` the latest date)."""
    snapshots = RungSnapshot.objects.filter(owner=OuterRef("client")).order_by("-taken_at")
    plans = Plan.objects.filter(owner=OuterRef("client")).order_by("-created_at")
    # The plan of the audit before the latest: the sprint the latest audit measured.
    second = RungSnapshot.objects.filter(owner=OuterRef(OuterRef("client"))).order_by("-taken_at")
    previous_plan = Plan.objects.filter(audit__snapshot=Subquery(second.values("pk")[1:2])).values(
        "moved_effort"
    )[:1]
    decimal = DecimalField(max_digits=3, decimal_places=2)
    return {
        "rung": Subquery(snapshots.values("rung")[:1], output_field=decimal),
        "previous_rung": Subquery(snapshots.values("rung")[1:2], output_field=decimal),
        "low_share": Subquery(snapshots.values("low_share")[:1], output_field=IntegerField()),
        "runway_text": Subquery(snapshots.values("runway_text")[:1]),
        "taken_at": Subquery(snapshots.values("taken_at")[:1]),
        "latest_activities": Subquery(snapshots.values("activities")[:1], output_field=JSONField()),
        "previous_activities": Subquery(
            snapshots.values("activities")[1:2], output_field=JSONField()
        ),
        "planned_move": Subquery(previous_plan, output_field=IntegerField()),
        "sprint_start": Subquery(plans.values("sprint_start")[:1], output_field=DateField()),
        "sprint_end": Subquery(plans.values("sprint_end")[:1], output_field=DateField()),
        "sprint_target": Subquery(plans.values("moved_effort")[:1], output_field=IntegerField()),
        "sprint_plan": Subquery(plans.values("code")[:1]),
        "change": F("rung") - F("previous_rung"),
        "overdue": _overdue(),
    }


# What each sort and filter needs annotated to order or filter all the clients.
NEEDS = {
    "rung": ("rung",),
    "change": ("rung", "previous_rung", "change"),
    "low": ("low_share",),
    "sprint": ("sprint_end",),
    "overdue": ("taken_at", "overdue"),
}


def clients_of(coach: User, *, only: tuple[str, ...] | None = None) -> QuerySet[Any]:
    """The coach's active clients. ``only``: annotate just these (what a sort or filter
    needs; the page's rows get the rest from ``page_details``); None: everything the
    dashboard shows, in one query (the CSV of every client)."""
    annotations = {
        name: value for name, value in _annotations().items() if only is None or name in only
    }
    return (
        CoachLink.objects.filter(coach=coach, state=CoachLink.State.ACTIVE)
        .select_related("client")
        .annotate(client_name=Coalesce("client__name", Value("")), **annotations)
    )


def page_details(links: list[CoachLink]) -> dict[int, dict[str, Any]]:
    """For the clients on one page of the dashboard, by client id, what ``clients_of``
    annotates: their latest two results, latest plan, and the plan the latest result
    measured. Three small queries whatever the page holds, in place of thirteen
    subqueries that cost more to build and compile than to run."""
    clients = [link.client_id for link in links if link.client_id is not None]
    details: dict[int, dict[str, Any]] = {client: dict.fromkeys(ANNOTATED) for client in clients}
    results = (
        _newest_first(RungSnapshot.objects.filter(owner_id__in=clients), "taken_at")
        .filter(n__lte=2)
        .values(
            "owner_id",
            "n",
            "rung",
            "low_share",
            "runway_text",
            "taken_at",
            "activities",
            "audit_id",
        )
    )
    measured: dict[int, int] = {}  # the audit before the latest -> its client
    for result in results:
        row = details[result["owner_id"]]
        if result["n"] == 1:
            row |= {
                "rung": result["rung"],
                "low_share": result["low_share"],
                "runway_text": result["runway_text"],
                "taken_at": result["taken_at"],
                "latest_activities": result["activities"],
            }
        else:
            row |= {"previous_rung": result["rung"], "previous_activities": result["activities"]}
            measured[result["audit_id"]] = result["owner_id"]
    latest_plans = (
        _newest_first(Plan.objects.filter(owner_id__in=clients), "created_at")
        .filter(n=1)
        .values("owner_id", "sprint_start", "sprint_end", "moved_effort", "code")
    )
    for plan in latest_plans:
        details[plan["owner_id"]] |= {
            "sprint_start": plan["sprint_start"],
            "sprint_end": plan["sprint_end"],
            "sprint_target": plan["moved_effort"],
            "sprint_plan": plan["code"],
        }
    for audit_id, moved_effort in Plan.objects.filter(audit_id__in=measured).values_list(
        "audit_id", "moved_effort"
    ):
        details[measured[audit_id]]["planned_move"] = moved_effort
    now = timezone.now()
    for client, link in zip(clients, links, strict=True):  # an active link has its client
        row = details[client]
        row["overdue"] = coaching.is_overdue(row["taken_at"], link.responded_at, now=now)
    return details


def _newest_first(rows: QuerySet[Any], field: str) -> QuerySet[Any]:
    """Each client's rows numbered ``n`` = 1, 2, … from the newest by ``field``."""
    numbered: QuerySet[Any] = rows.annotate(
        n=Window(
            RowNumber(), partition_by=[F("owner_id")], order_by=[F(field).desc(), F("pk").desc()]
        )
    )
    return numbered


ANNOTATED = (
    "rung",
    "previous_rung",
    "low_share",
    "runway_text",
    "taken_at",
    "latest_activities",
    "previous_activities",
    "planned_move",
    "sprint_start",
    "sprint_end",
    "sprint_target",
    "sprint_plan",
    "overdue",
)


def _overdue() -> Case:
    """``coaching.is_overdue`` in SQL, for filtering all the clients by it."""
    # From the latest result the query already fetches (taken_at): no scan of all
    # results, whatever the number of people.
    now = timezone.now()
    return Case(
        When(
            Q(taken_at__lt=now - coaching.OVERDUE_AFTER)
            | Q(taken_at__isnull=True, responded_at__lt=now - coaching.FIRST_AUDIT_GRACE),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


@dataclass(frozen=True)
class Row:
    """One client on the dashboard, worked out from the annotated link."""

    link: CoachLink
    client: User
    today: date
    rung: Decimal | None
    previous_rung: Decimal | None
    low_share: int | None
    runway_text: str | None
    taken_at: datetime | None
    latest_activities: list[dict[str, Any]] | None
    previous_activities: list[dict[str, Any]] | None
    planned_move: int | None
    sprint_start: date | None
    sprint_end: date | None
    sprint_target: int | None
    sprint_plan: UUID | None
    overdue: bool

    @classmethod
    def of(cls, link: CoachLink, today: date, details: dict[str, Any] | None = None) -> Row:
        """From ``page_details``, or else from the link's annotations (``clients_of``)."""
        assert link.client is not None
        values = details if details is not None else {n: getattr(link, n) for n in ANNOTATED}
        return cls(link=link, client=link.client, today=today, **values)

    @cached_property
    def change_shown(self) -> Decimal | None:
        if self.rung is None or self.previous_rung is None:
            return None
        return scoring.round_half_up(self.rung, 1) - scoring.round_half_up(self.previous_rung, 1)

    @cached_property
    def moved(self) -> int | None:
        """Effort actually moved between the last two audits (the last sprint's result)."""
        if not self.previous_activities or not self.latest_activities or self.previous_rung is None:
            return None
        return moved_since(self.previous_rung, self.previous_activities, self.latest_activities)

    @cached_property
    def days_left(self) -> int | None:
        if self.sprint_end is None or self.sprint_start is None or self.sprint_end < self.today:
            return None
        return (self.sprint_end - max(self.today, self.sprint_start)).days

    @cached_property
    def sprint_text(self) -> str:
        if self.sprint_end is None:
            return "No plan yet"
        if self.days_left is None:
            return f"Ended {self.sprint_end:%-d %b %Y}"
        return f"{self.days_left} days left"


def filtered(
    coach: User, *, q: str = "", show: str = "all", sort: str = "name", everything: bool = False
) -> QuerySet[Any]:
    """The coach's clients that the dashboard's search, filter and sort ask for, in
    order. ``everything``: with all that the dashboard shows annotated (the CSV);
    otherwise with only what the filter and sort need (the page's rows get
    ``page_details``)."""
    today = timezone.localdate()
    needs = NEEDS.get(sort, ()) + NEEDS.get(show, ())
    links = clients_of(coach, only=None if everything else needs)
    if q := q.strip():
        links = links.filter(Q(client__name__icontains=q) | Q(client__email__icontains=q))
    if show == "overdue":
        links = links.filter(overdue=True)
    elif show == "sprint":
        links = links.filter(sprint_end__gte=today)
    return links.order_by(*SORTS.get(sort, SORTS["name"]), "pk")


def csv_safe(value: str) -> str:
    """No spreadsheet formulas from a person's name."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
