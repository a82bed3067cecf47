"""Coaches' pages: the dashboard of clients, a client's ladder (read-only, with
comments and the coach's own scores), invitations both ways, and revoking."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    QuerySet,
)
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import CoachLink, User
from assessments import access
from assessments.access import audit_for
from assessments.audits.results import result_page, timeline
from assessments.coaching import services as coaching
from assessments.coaching.dashboard import SORT_LABELS, Row, csv_safe, filtered, page_details
from assessments.coaching.forms import CommentForm, DashboardForm, InviteForm, ReplyForm
from assessments.models import Audit, Checkin
from ladder.http import AuthenticatedHttpRequest, is_partial
from ladder.method import scoring
from ladder.method.calendar import WEEKDAY_NAMES
from ladder.outbox import Outcome

PAGE_SIZE = 25


# --- The dashboard -----------------------------------------------------------------


def _filtered(
    request: HttpRequest, coach: User, *, everything: bool = False
) -> tuple[DashboardForm, QuerySet[Any]]:
    """The dashboard's form, read from the query string, and the clients it asks for."""
    form = DashboardForm(request.GET or None)
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    links = filtered(
        coach,
        q=data.get("q") or "",
        show=data.get("show") or "all",
        sort=data.get("sort") or "name",
        everything=everything,
    )
    return form, links


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    coach = request.user
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
            coaching.with_delivery(
                CoachLink.objects.filter(
                    coach=coach, invited_by=CoachLink.Side.COACH, state=CoachLink.State.PENDING
                )
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
    partial = is_partial(request)
    context["partial"] = partial
    template = "coach/dashboard.html#clients" if partial else "coach/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _verified_emails(user: User) -> list[str]:
    return sorted(coaching._addresses(user))


@never_cache
@login_required
@require_safe
def dashboard_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Every client matching the dashboard's filters, as CSV (all pages)."""
    _, links = _filtered(request, request.user, everything=True)
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
                    csv_safe(row.client.name),
                    csv_safe(row.client.email),
                    scoring.round_half_up(row.rung, 1) if row.rung is not None else "",
                    row.change_shown if row.change_shown is not None else "",
                    row.low_share if row.low_share is not None else "",
                    csv_safe(row.runway_text or ""),
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


# --- Invitations -------------------------------------------------------------------


def _invite(request: AuthenticatedHttpRequest, side: CoachLink.Side, back: str) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            link = coaching.invite(
                inviter=request.user,
                side=side,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except coaching.InviteProblem as problem:
            form.add_error("email", str(problem))
        else:
            _tell_delivery(request, link, coaching.invitation_deliver(link))
            return redirect(back)
    messages.error(
        request,
        "The invitation wasn't sent: "
        + " ".join(str(e) for errors in form.errors.values() for e in errors),
    )
    return redirect(back)


def _tell_delivery(request: AuthenticatedHttpRequest, link: CoachLink, outcome: Outcome) -> None:
    """What became of the first try at an invitation email, in plain words."""
    if outcome == Outcome.FAILED:
        messages.error(
            request,
            f"{link.email} can't receive the invitation: their mail server refused it. "
            "Check the address, withdraw this invitation and send a new one.",
        )
    elif outcome == Outcome.SENT:
        messages.success(request, f"Invitation sent to {link.email}.")
    else:
        messages.warning(
            request,
            f"Your invitation to {link.email} is saved, but its email hasn't gone out "
            "yet. We'll keep trying for two days; this page says if it can't be delivered.",
        )


@login_required
@require_POST
def invite_client(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _invite(request, CoachLink.Side.COACH, reverse("coach:dashboard"))


@login_required
@require_POST
def invite_coach(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _invite(request, CoachLink.Side.CLIENT, reverse("coach:my_coaches"))


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The inviter takes back an invitation that hasn't been answered."""
    link = access.invitation_sent_by(request, code)
    if coaching.withdraw(link):
        messages.success(request, f"The invitation to {link.email} is withdrawn.")
    back = "coach:dashboard" if link.invited_by == CoachLink.Side.COACH else "coach:my_coaches"
    return redirect(back)


@login_required
@require_POST
def send_again(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The inviter sends an invitation whose email couldn't be delivered once more."""
    link = access.invitation_sent_by(request, code)
    back = "coach:dashboard" if link.invited_by == CoachLink.Side.COACH else "coach:my_coaches"
    try:
        row = coaching.invitation_send_again(link)
    except coaching.InviteProblem as problem:
        messages.error(request, str(problem))
    else:
        _tell_delivery(request, link, coaching.invitation_deliver(link, row))
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
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
    if request.method == "POST" and request.POST.get("answer") == "report":
        coaching.report(link=link)  # whoever holds the emailed link, account or not
        return render(request, "coach/invitation.html", {"link": link, "reported": True})
    if not request.user.is_authenticated:
        return render(request, "coach/invitation.html", {"link": link, "anonymous": True})
    user = request.user
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
@require_safe
def my_coaches(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    links = list(
        coaching.with_delivery(
            CoachLink.objects.filter(client=user)
            .filter(state__in=[CoachLink.State.ACTIVE, CoachLink.State.PENDING])
            .select_related("coach")
        )
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
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The client stops sharing their ladder with a coach (asks first)."""
    link = access.link_for_client(request, code)
    if request.method == "POST":
        coaching.revoke(link)
        messages.success(request, f"{link.coach} can no longer see your ladder.")
        return redirect("coach:my_coaches")
    return render(request, "coach/confirm.html", {"link": link, "action": "revoke"})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def end(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The coach stops coaching a client (asks first)."""
    link = access.link_for_coach(request, code)
    if request.method == "POST":
        coaching.end(link)
        messages.success(request, f"You no longer see {link.client}'s ladder.")
        return redirect("coach:dashboard")
    return render(request, "coach/confirm.html", {"link": link, "action": "end"})


@login_required
@require_POST
def digest_setting(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    user.coach_digest = request.POST.get("coach_digest") == "on"
    user.save(update_fields=["coach_digest"])
    messages.success(
        request, "Weekly digest on." if user.coach_digest else "Weekly digest off: no more digests."
    )
    return redirect(reverse("coach:dashboard") + "#digest")


# --- A client's ladder, read-only --------------------------------------------------


@login_required
@require_safe
def client(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    link = access.link_for_coach(request, code)
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
            "timeline": timeline(completed) if len(completed) > 1 else None,
            "plan": plan,
            "plan_rows": list(plan.activities.all()) if plan else [],
            "events": [(e, WEEKDAY_NAMES[e.weekday]) for e in plan.events.all()] if plan else [],
            "days_left": max(0, (plan.sprint_end - max(today, plan.sprint_start)).days)
            if plan
            else None,
            "checkins": list(Checkin.objects.filter(user=person)[:4]),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def client_audit(request: AuthenticatedHttpRequest, code: UUID, audit_code: UUID) -> HttpResponse:
    """One of the client's results, with the coach's notes and scores. The coach can
    add notes and scores; the client's audit itself never changes."""
    link = access.link_for_coach(request, code)
    audit = access.audit_for_coach(link, audit_code)
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
                    author=request.user,
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
            **coaching.comment_context(audit, activities, coach=request.user),
            "link": link,
            "audit": audit,
            "form": form,
            # Each activity's evidence as the snapshot kept it (same order: by position).
            "evidence": {
                a.pk: row
                for a, row in zip(
                    sorted(activities, key=lambda a: a.position),
                    audit.snapshot.activities,
                    strict=False,
                )
            },
        },
    )


@login_required
@require_POST
def reply(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The client answers their coach's notes on one of their results."""
    audit = audit_for(request, code)
    form = ReplyForm(request.POST)
    valid = form.is_valid()
    body = form.cleaned_data["body"] if valid else form.typed()
    problem = None
    if not valid:  # the body's own message, or the coach choice that came back unreadable
        problem = " ".join(
            map(str, form.errors.get("body") or ["Choose the coach your reply is for."])
        )
    if audit.is_draft:
        raise Http404("No such result")
    coaches = CoachLink.objects.filter(client=request.user, state=CoachLink.State.ACTIVE)
    wanted = form.cleaned_data.get("to", "") if valid else ""
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
        return result_page(request, audit, reply_error=problem, reply_body=body)
    try:
        coaching.comment(audit=audit, author=request.user, link=link, new=coaching.NewComment(body))
    except coaching.CoachLinkEnded:
        return result_page(
            request, audit, reply_error="That coach no longer sees your ladder.", reply_body=body
        )
    messages.success(request, "Reply saved. Your coach sees it with your ladder.")
    return redirect(reverse("assessments:result", args=[audit.code]) + "#notes")
