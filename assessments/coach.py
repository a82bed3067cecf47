"""Coaches' pages: the dashboard of clients, a client's ladder (read-only, with
comments and the coach's own scores), invitations both ways, and revoking."""

from __future__ import annotations

import csv
import smtplib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
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
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import CoachLink, User
from assessments import audits, coaching
from assessments.access import audit_for
from assessments.models import Audit, Checkin, Plan, RungSnapshot
from assessments.plan_forms import WEEKDAY_NAMES
from assessments.quarterly import moved_since
from assessments.views import HtmxHttpRequest
from ladder import scoring

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- The dashboard -----------------------------------------------------------------


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


class DashboardForm(forms.Form):
    q = forms.CharField(label="Find a client", required=False, max_length=100)
    show = forms.ChoiceField(label="Show", choices=list(SHOWS.items()), required=False)
    sort = forms.ChoiceField(label="Sort by", choices=list(SORT_LABELS.items()), required=False)


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


def _filtered(
    request: HttpRequest, coach: User, *, everything: bool = False
) -> tuple[DashboardForm, QuerySet[Any]]:
    """The clients the dashboard's search, filter and sort ask for, in order.
    ``everything``: with all that the dashboard shows annotated (the CSV); otherwise
    with only what the filter and sort need (the page's rows get ``page_details``)."""
    form = DashboardForm(request.GET or None)
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    today = timezone.localdate()
    show = data.get("show") or "all"
    sort = data.get("sort") or "name"
    needs = NEEDS.get(sort, ()) + NEEDS.get(show, ())
    links = clients_of(coach, only=None if everything else needs)
    if q := (data.get("q") or "").strip():
        links = links.filter(Q(client__name__icontains=q) | Q(client__email__icontains=q))
    if show == "overdue":
        links = links.filter(overdue=True)
    elif show == "sprint":
        links = links.filter(sprint_end__gte=today)
    return form, links.order_by(*SORTS.get(sort, SORTS["name"]), "pk")


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    coach = _user(request)
    form, links = _filtered(request, coach)
    page = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
    links_shown = list(page.object_list)
    details = page_details(links_shown)
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    filters = query.copy()
    filters.pop("sort", None)
    sort = (form.cleaned_data.get("sort") if form.is_bound else None) or "name"
    context = {
        "form": form,
        "page": page,
        "rows": [Row.of(link, today, details.get(link.client_id or 0)) for link in links_shown],
        "query": query.urlencode(),
        "filters": filters.urlencode(),
        "sort": sort,
        "sort_label": SORT_LABELS.get(sort, "Name"),
        "sort_labels": SORT_LABELS,
        "dashboard_url": reverse("coach:dashboard"),  # for the sort and page links
        "invite_form": InviteForm(),
        "pending": list(
            CoachLink.objects.filter(
                coach=coach, invited_by=CoachLink.Side.COACH, state=CoachLink.State.PENDING
            )
        ),
        "invitations": [
            (link, coaching.invitation_token(link))
            for link in CoachLink.objects.filter(
                coaching.open_invitations(),
                email__in=_verified_emails(coach),
                invited_by=CoachLink.Side.CLIENT,
            ).select_related("client")
        ],
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context["partial"] = partial
    template = "coach/dashboard.html#clients" if partial else "coach/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _verified_emails(user: User) -> list[str]:
    return sorted(coaching._addresses(user))


@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every client matching the dashboard's filters, as CSV (all pages)."""
    _, links = _filtered(request, _user(request), everything=True)
    today = timezone.localdate()

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    header = [
        "name",
        "email",
        "latest rung",
        "change since last quarter",
        "time at rungs 1-2 (%)",
        "runway",
        "sprint",
        "moved effort (points)",
        "planned (points)",
        "next check-in",
        "overdue",
    ]

    def rows() -> Any:
        yield writer.writerow(header)
        for link in links.iterator(chunk_size=500):
            row = Row.of(link, today)
            yield writer.writerow(
                [
                    _safe(row.client.name),
                    _safe(row.client.email),
                    scoring.round_half_up(row.rung, 1) if row.rung is not None else "",
                    row.change_shown if row.change_shown is not None else "",
                    row.low_share if row.low_share is not None else "",
                    _safe(row.runway_text or ""),
                    row.sprint_text,
                    row.moved if row.moved is not None else "",
                    row.planned_move if row.planned_move is not None else "",
                    row.client.next_checkin_at.date().isoformat()
                    if row.client.next_checkin_at
                    else "",
                    "yes" if row.overdue else "no",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ladder-clients-{today}.csv"'
    return response


def _safe(value: str) -> str:
    """No spreadsheet formulas from a person's name."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- Invitations -------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    message = forms.CharField(
        label="A note with the invitation (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep the note under 500 characters (it has %(show_value)d)."
        },
    )


def _invite(request: HttpRequest, side: CoachLink.Side, back: str) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            link = coaching.invite(
                inviter=_user(request),
                side=side,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except coaching.InviteProblem as problem:
            form.add_error("email", str(problem))
        else:
            try:
                coaching.send_invitation(link)
            except (smtplib.SMTPException, OSError):
                coaching.withdraw(link)
                messages.error(
                    request,
                    "We couldn't send the invitation email just now, so nothing was saved. "
                    "Try again in a minute.",
                )
                return redirect(back)
            messages.success(request, f"Invitation sent to {link.email}.")
            return redirect(back)
    messages.error(
        request,
        "The invitation wasn't sent: "
        + " ".join(str(e) for errors in form.errors.values() for e in errors),
    )
    return redirect(back)


@login_required
@require_POST
def invite_client(request: HttpRequest) -> HttpResponse:
    return _invite(request, CoachLink.Side.COACH, reverse("coach:dashboard"))


@login_required
@require_POST
def invite_coach(request: HttpRequest) -> HttpResponse:
    return _invite(request, CoachLink.Side.CLIENT, reverse("coach:my_coaches"))


@login_required
@require_POST
def withdraw(request: HttpRequest, code: UUID) -> HttpResponse:
    """The inviter takes back an invitation that hasn't been answered."""
    user = _user(request)
    link = get_object_or_404(
        CoachLink,
        Q(invited_by=CoachLink.Side.COACH, coach=user)
        | Q(invited_by=CoachLink.Side.CLIENT, client=user),
        code=code,
    )
    if coaching.withdraw(link):
        messages.success(request, f"The invitation to {link.email} is withdrawn.")
    back = "coach:dashboard" if link.invited_by == CoachLink.Side.COACH else "coach:my_coaches"
    return redirect(back)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: what will be shared, then accept or decline.
    A GET changes nothing."""
    try:
        link = coaching.invitation_for_token(token)
    except coaching.InvitationProblem as problem:
        return _invitation_problem(
            request, problem.kind, status=410 if problem.kind == "expired" else 404
        )
    accepted_by_me = link.is_active and request.user.pk in (link.coach_id, link.client_id)
    if accepted_by_me and request.method == "POST":
        return _accepted(link)  # a double-clicked Accept
    if not link.is_pending:
        return _invitation_problem(request, "closed", link=link, status=410)
    if not request.user.is_authenticated:
        return render(request, "coach/invitation.html", {"link": link, "anonymous": True})
    user = _user(request)
    if not coaching.may_answer(link, user):
        return _invitation_problem(request, "wrong-person", link=link, status=404)
    answer = request.POST.get("answer")
    if request.method == "POST" and answer not in ("accept", "decline"):
        messages.error(request, "Choose Accept or Decline.")  # nothing decided: ask again
        return render(request, "coach/invitation.html", {"link": link}, status=400)
    if request.method == "POST":
        accept = answer == "accept"
        try:
            link = coaching.answer(link=link, user=user, accept=accept)
        except coaching.InvitationProblem as problem:
            return _invitation_problem(request, problem.kind, link=link, status=410)
        if not accept:
            messages.info(request, "Invitation declined. Nothing is shared.")
            return redirect("assessments:my_ladder")
        if link.client_id == user.pk:
            messages.success(
                request, f"{link.coach} can now see your ladder. You can stop sharing at any time."
            )
        else:
            messages.success(request, f"You're now {link.client}'s coach.")
        return _accepted(link)
    return render(request, "coach/invitation.html", {"link": link})


def _accepted(link: CoachLink) -> HttpResponse:
    """Where the person who accepted goes: the client to "Your coach", the coach to
    the client's ladder."""
    if link.invited_by == CoachLink.Side.COACH:
        return redirect("coach:my_coaches")
    return redirect("coach:client", link.code)


def _invitation_problem(
    request: HttpRequest, kind: str, *, link: CoachLink | None = None, status: int
) -> HttpResponse:
    return render(
        request, "coach/invitation_problem.html", {"kind": kind, "link": link}, status=status
    )


# --- The client's side: my coaches -------------------------------------------------


@login_required
@require_GET
def my_coaches(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    links = list(
        CoachLink.objects.filter(client=user)
        .filter(state__in=[CoachLink.State.ACTIVE, CoachLink.State.PENDING])
        .select_related("coach")
    )
    return render(
        request,
        "coach/my_coaches.html",
        {
            "active": [link for link in links if link.is_active],
            "pending": [link for link in links if link.is_pending],
            "invitations": [
                (link, coaching.invitation_token(link))
                for link in CoachLink.objects.filter(
                    coaching.open_invitations(),
                    email__in=_verified_emails(user),
                    invited_by=CoachLink.Side.COACH,
                ).select_related("coach")
            ],
            "form": InviteForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, code: UUID) -> HttpResponse:
    """The client stops sharing their ladder with a coach (asks first)."""
    link = get_object_or_404(
        CoachLink.objects.select_related("coach"),
        code=code,
        client_id=request.user.pk,
        state=CoachLink.State.ACTIVE,
    )
    if request.method == "POST":
        coaching.revoke(link)
        messages.success(request, f"{link.coach} can no longer see your ladder.")
        return redirect("coach:my_coaches")
    return render(request, "coach/confirm.html", {"link": link, "action": "revoke"})


@login_required
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, code: UUID) -> HttpResponse:
    """The coach stops coaching a client (asks first)."""
    link = coaching.link_for_coach(request, code)
    if request.method == "POST":
        coaching.end(link)
        messages.success(request, f"You no longer see {link.client}'s ladder.")
        return redirect("coach:dashboard")
    return render(request, "coach/confirm.html", {"link": link, "action": "end"})


@login_required
@require_POST
def digest_setting(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    user.coach_digest = request.POST.get("coach_digest") == "on"
    user.save(update_fields=["coach_digest"])
    messages.success(
        request, "Weekly digest on." if user.coach_digest else "Weekly digest off: no more digests."
    )
    return redirect(reverse("coach:dashboard") + "#digest")


# --- A client's ladder, read-only --------------------------------------------------


@login_required
@require_GET
def client(request: HttpRequest, code: UUID) -> HttpResponse:
    link = coaching.link_for_coach(request, code)
    person = link.client
    assert person is not None
    completed = list(
        Audit.objects.filter(owner=person, status=Audit.Status.COMPLETE)
        .select_related("snapshot", "occupation", "plan")
        .order_by("-completed_at")
    )
    plan = next((a.plan for a in completed if getattr(a, "plan", None) is not None), None)
    today = timezone.localdate()
    return render(
        request,
        "coach/client.html",
        {
            "link": link,
            "person": person,
            "completed": completed,
            "latest": completed[0].snapshot if completed else None,
            "timeline": audits.timeline(completed) if len(completed) > 1 else None,
            "plan": plan,
            "plan_rows": list(plan.activities.all()) if plan else [],
            "events": [(e, WEEKDAY_NAMES[e.weekday]) for e in plan.events.all()] if plan else [],
            "days_left": max(0, (plan.sprint_end - max(today, plan.sprint_start)).days)
            if plan
            else None,
            "checkins": list(Checkin.objects.filter(user=person)[:4]),
        },
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep a note under 2,000 characters (it has %(show_value)d)."
        },
    )
    activity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    coach_score = forms.TypedChoiceField(
        label="Your score",
        choices=[("", "No score")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("activity") is None:
            cleaned["coach_score"] = None  # a score belongs to an activity
        empty = not (cleaned.get("body") or "").strip() and cleaned.get("coach_score") is None
        if empty and not self.errors:
            raise forms.ValidationError("Write a note or give a score.")
        return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def client_audit(request: HttpRequest, code: UUID, audit_code: UUID) -> HttpResponse:
    """One of the client's results, with the coach's notes and scores. The coach can
    add notes and scores; the client's audit itself never changes."""
    link = coaching.link_for_coach(request, code)
    audit = coaching.audit_for_coach(link, audit_code)
    activities = list(audit.activities.all())
    form = CommentForm()
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            activity_id = form.cleaned_data["activity"]
            activity = next((a for a in activities if a.pk == activity_id), None)
            if activity_id is not None and activity is None:
                raise Http404("No such activity")
            try:
                coaching.comment(
                    audit=audit,
                    author=_user(request),
                    link=link,
                    new=coaching.NewComment(
                        form.cleaned_data["body"] or "",
                        activity=activity,
                        coach_score=form.cleaned_data["coach_score"] if activity else None,
                    ),
                )
            except coaching.CoachLinkEnded as ended:
                raise Http404("No such client") from ended
            messages.success(
                request,
                f"Saved. {link.client} gets one email about your new notes, "
                "half an hour after your last one.",
            )
            anchor = f"#activity-{activity.pk}" if activity else "#notes"
            return redirect(reverse("coach:client_audit", args=[link.code, audit.code]) + anchor)
    return render(
        request,
        "coach/audit.html",
        {
            **coaching.comment_context(audit, activities, coach=_user(request)),
            "link": link,
            "audit": audit,
            "form": form,
        },
    )


@login_required
@require_POST
def reply(request: HttpRequest, code: UUID) -> HttpResponse:
    """The client answers their coach's notes on one of their results."""
    audit = audit_for(request, code)
    body = (request.POST.get("body") or "").strip()
    problem = None
    if not body:
        problem = "Write a reply first."
    elif len(body) > 2000:
        problem = f"Keep a reply under 2,000 characters (it has {len(body):,})."
    if audit.is_draft:
        raise Http404("No such result")
    coaches = CoachLink.objects.filter(client=_user(request), state=CoachLink.State.ACTIVE)
    wanted = request.POST.get("to", "")
    link = next((c for c in coaches if str(c.code) == wanted), None)
    if link is None and coaches.count() == 1:
        link = coaches.first()
    if not problem and link is None:
        problem = (
            "Choose the coach your reply is for."
            if coaches.exists()
            else ("You're not sharing your ladder with a coach now, so there's nobody to reply to.")
        )
    if problem or link is None:
        return audits.result_page(request, audit, reply_error=problem, reply_body=body)
    try:
        coaching.comment(
            audit=audit, author=_user(request), link=link, new=coaching.NewComment(body)
        )
    except coaching.CoachLinkEnded:
        return audits.result_page(
            request, audit, reply_error="That coach no longer sees your ladder.", reply_body=body
        )
    messages.success(request, "Reply saved. Your coach sees it with your ladder.")
    return redirect(reverse("assessments:result", args=[audit.code]) + "#notes")
