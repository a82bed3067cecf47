"""A person's audits: the wizard (S1–S3), the result, reassessment, "My ladder",
keeping or deleting audits.

The wizard has one URL and one plain HTML form per step. With htmx only the step's
partial is swapped; without JavaScript the same URLs work page by page. Every save
checks the draft's version: a save from a stale second tab gets a conflict message
with both versions to choose from, never a silent overwrite. A double-clicked button
sends the same data twice; the second save finds it already there and moves on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from assessments.access import SESSION_KEY, anonymous_key, audit_for
from assessments.audits import services
from assessments.audits.forms import ActivitiesForm, RoleForm, ScoresForm, TimeForm, VersionedForm
from assessments.audits.results import result_page, snapshot_chart, timeline
from assessments.library.services import evidence_for, find_occupations
from assessments.models import Activity, Audit, Occupation, Plan, TaskStatement
from ladder.converters import is_occupation_code
from ladder.forms import whole_number
from ladder.http import AuthenticatedHttpRequest, HtmxHttpRequest, is_partial, leave_to, swap_to
from ladder.method import planning, scoring
from ladder.method.granularity import check_granularity


@require_safe
def result(request: HtmxHttpRequest, code: UUID) -> HttpResponse:
    audit = audit_for(request, code, related=("snapshot", "plan"))
    if audit.is_draft:
        return redirect("assessments:step_" + audit.reached, audit.code)
    return result_page(request, audit)


@login_required
@require_safe
def my_ladder(request: AuthenticatedHttpRequest) -> HttpResponse:
    audits = list(
        Audit.objects.filter(owner_id=request.user.pk)
        .select_related("snapshot", "occupation", "plan")
        .order_by("-created_at")
    )
    key = anonymous_key(request)
    pending = (
        list(Audit.objects.filter(owner__isnull=True, anonymous_key=key).select_related("snapshot"))
        if key
        else []
    )
    drafts = [a for a in audits if a.is_draft]
    completed = [a for a in audits if not a.is_draft]
    latest = completed[0].snapshot if completed else None
    over_time = timeline(completed) if len(completed) > 1 else None
    user = request.user
    assert isinstance(user, User)
    zone = ZoneInfo(user.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    checkin_on = (
        timezone.localtime(user.next_checkin_at, zone).date()
        if user.next_checkin_at and not user.checkins_paused
        else None
    )
    latest_plan = next((plan for a in completed if (plan := _plan_of(a))), None)
    step = (
        planning.next_step(
            today=today,
            planned=_plan_of(completed[0]) is not None,
            reassessment=completed[0].previous_id is not None,
            sprint_end=latest_plan.sprint_end if latest_plan else None,
            checkin_on=checkin_on,
        )
        if completed
        else None
    )
    return render(
        request,
        "assessments/my_ladder.html",
        {
            "pending": pending,
            "drafts": drafts,
            "completed": completed,
            "latest": latest,
            "chart": (lambda: snapshot_chart(latest, with_activities=False)) if latest else None,
            "chart_day": timezone.localdate().isoformat(),
            "timeline": over_time,
            "next_checkin": timezone.localtime(user.next_checkin_at, ZoneInfo(user.time_zone))
            if user.next_checkin_at
            and user.next_checkin_at > timezone.now()
            and not user.checkins_paused
            else None,
            "reassessing": any(a.previous_id for a in drafts),
            "step": step,
            "latest_audit": completed[0] if completed else None,
            "latest_plan": latest_plan,
            "checkin_on": checkin_on,
            "today_date": today,
            "days_left": (latest_plan.sprint_end - max(today, latest_plan.sprint_start)).days
            if latest_plan
            else None,
        },
    )


def _plan_of(audit: Audit) -> Plan | None:
    """The audit's plan, read with it (``select_related``), or None."""
    try:
        return audit.plan
    except Plan.DoesNotExist:
        return None


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HtmxHttpRequest, code: UUID) -> HttpResponse:
    audit = audit_for(request, code)
    if request.method == "POST":
        services.audit_delete(audit=audit)
        messages.success(request, f"“{audit.title}” is deleted.")
        return redirect("assessments:my_ladder" if request.user.is_authenticated else "home")
    return render(request, "assessments/delete.html", {"audit": audit})


@login_required
@require_POST
def claim(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add the audits made in this browser before logging in to the account."""
    claimed = services.audits_claim(user=request.user, anonymous_key=anonymous_key(request))
    request.session.pop(SESSION_KEY, None)
    if claimed:
        messages.success(
            request, f"Added to your ladder: {claimed} audit{'s' if claimed != 1 else ''}."
        )
    return redirect("assessments:my_ladder")


@login_required
@require_POST
def discard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Not mine": delete the audits made in this browser before logging in."""
    key = anonymous_key(request)
    if key:
        Audit.objects.filter(owner__isnull=True, anonymous_key=key).delete()
    request.session.pop(SESSION_KEY, None)
    messages.info(request, "Those results are deleted; your ladder is unchanged.")
    return redirect("assessments:my_ladder")


@login_required
@require_POST
def reassess(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start this quarter's reassessment from My ladder, without waiting for the email."""
    previous = (
        Audit.objects.filter(owner=request.user, status=Audit.Status.COMPLETE)
        .order_by("-completed_at")
        .first()
    )
    if previous is None:
        messages.info(request, "A check-in starts from a completed audit: do your first one.")
        return redirect("assessments:my_ladder")
    audit = services.reassessment_start(owner=request.user, previous=previous)
    return redirect("assessments:step_activities", audit.code)


# --- The wizard (steps S1–S3) ---

STEPS = list(Audit.Step)
SUGGESTION_LIMIT = 12


def _step_url(audit: Audit, step: str) -> str:
    return reverse(f"assessments:step_{step}", args=[audit.code])


def _progress(audit: Audit, current: str) -> list[dict[str, Any]]:
    reached = STEPS.index(Audit.Step(audit.reached))
    return [
        {
            "key": step.value,
            "label": step.label,
            "number": i + 1,
            "url": _step_url(audit, step.value),
            "current": step.value == current,
            "available": i <= reached,
        }
        for i, step in enumerate(STEPS)
    ]


def _render(
    request: HtmxHttpRequest, audit: Audit, step: str, form: VersionedForm, **context: Any
) -> HttpResponse:
    context.update(
        audit=audit,
        step=step,
        form=form,
        progress=_progress(audit, step),
        step_template=f"assessments/steps/{step}.html",
        action=_step_url(audit, step),
        rubric=sorted(scoring.RUBRIC.items()),
    )
    template = (
        "assessments/wizard.html#wizard" if is_partial(request) else "assessments/wizard.html"
    )
    return _private(render(request, template, context))


def _private(response: HttpResponse) -> HttpResponse:
    """A draft step: the same URL answers with a fragment or a page, so caches must
    tell them apart, and nobody's draft should sit in a shared or back-button cache."""
    patch_vary_headers(response, ["HX-Request"])
    add_never_cache_headers(response)
    return response


def _open_draft(request: HtmxHttpRequest, code: UUID, step: str) -> Audit | HttpResponse:
    """The draft, or where to go instead: the result of a completed audit, or the
    furthest step reached when a step is opened out of order."""
    audit = audit_for(request, code)
    if not audit.is_draft:
        return leave_to(request, reverse("assessments:result", args=[audit.code]))
    if STEPS.index(Audit.Step(step)) > STEPS.index(Audit.Step(audit.reached)):
        messages.info(request, "Finish this step first: the steps build on each other.")
        return leave_to(request, _step_url(audit, audit.reached))
    return audit


StepView = Callable[[HtmxHttpRequest, Audit], HttpResponse]


def wizard_step(step: Audit.Step) -> Callable[[StepView], Callable[..., HttpResponse]]:
    """What every step view shares: GET, HEAD and POST; the draft opened for this
    person (or where to go instead); then the step's own view with the audit."""

    def decorate(view: StepView) -> Callable[..., HttpResponse]:
        @require_http_methods(["GET", "HEAD", "POST"])
        @functools.wraps(view)
        def wrapped(request: HtmxHttpRequest, code: UUID) -> HttpResponse:
            audit = _open_draft(request, code, step)
            if isinstance(audit, HttpResponse):
                return audit
            return view(request, audit)

        return wrapped

    return decorate


def _save_step(
    request: HtmxHttpRequest,
    save: Callable[[], object],
    *,
    step: str,
    form_class: Callable[..., VersionedForm],
    unchanged: Callable[[Audit], bool],
    then: Callable[[], HttpResponse],
    **conflict: Any,
) -> HttpResponse:
    """Save a valid step and go on (``then``). When another tab saved first, the
    newest version wins only if it already says what this submit says
    (``unchanged``); otherwise the person sees both and chooses (the conflict page)."""
    try:
        save()
    except services.StaleVersion as stale:
        if not unchanged(stale.current):
            return _conflict(request, stale.current, step, form_class, **conflict)
    return then()


def _on_to(request: HtmxHttpRequest, audit: Audit, step: Audit.Step) -> Callable[[], HttpResponse]:
    """Going on to the next step, once this one is saved."""
    return lambda: swap_to(request, _step_url(audit, step), target="#wizard")


def _rebind(
    form_class: Callable[..., VersionedForm],
    request: HtmxHttpRequest,
    current: Audit,
    **kwargs: Any,
) -> VersionedForm:
    """The person's own (unsaved) answers on top of the newest version, so submitting
    again means "keep mine"."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def _conflict(
    request: HtmxHttpRequest,
    current: Audit,
    step: str,
    form_class: Callable[..., VersionedForm],
    *,
    with_activities: bool = False,
    **form_kwargs: Any,
) -> HttpResponse:
    """The step again, with what the person typed on top of the newest version and
    the saved version beside it: submitting keeps theirs, a link keeps the saved one."""
    saved = list(_activities(current))
    if with_activities:
        form_kwargs["activities"] = saved
    form = _rebind(form_class, request, current, **form_kwargs)
    return _render(request, current, step, form, conflict=current, saved_rows=saved)


def _activities(audit: Audit) -> QuerySet[Activity]:
    return audit.activities.select_related("task").order_by("position")


# --- Start ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HtmxHttpRequest) -> HttpResponse:
    """GET: what the audit involves, and any draft to continue. POST: a new draft."""
    key = anonymous_key(request)
    if request.method == "GET" and not key and not request.user.is_authenticated:
        # The visitor's key before the button is pressed, so a double click's two
        # requests carry the same one and get the same draft.
        key = request.session[SESSION_KEY] = services.new_anonymous_key()
    limited = False
    if request.method == "POST":
        if not key and not request.user.is_authenticated:
            key = request.session[SESSION_KEY] = services.new_anonymous_key()
        who = f"person:{request.user.pk}" if request.user.is_authenticated else key
        # Many starts in an hour from one browser or address is a script, not a person.
        limited = not ratelimit.consume(request, action="start_audit", key=who)
        if not limited:
            audit = services.audit_start(
                owner=request.user if request.user.is_authenticated else None,
                anonymous_key="" if request.user.is_authenticated else key,
            )
            return redirect(_step_url(audit, Audit.Step.ROLE))
    if request.user.is_authenticated:
        drafts = Audit.objects.filter(owner=request.user)
    else:
        drafts = Audit.objects.filter(owner__isnull=True, anonymous_key=key)
    return render(
        request,
        "assessments/start.html",
        {"drafts": list(drafts.filter(status=Audit.Status.DRAFT)[:5]), "limited": limited},
        status=429 if limited else 200,
    )


# --- Step 1: role -----------------------------------------------------------------


def _occupation_named(code: str) -> Occupation | None:
    """The occupation a posted code names, or None for anything that isn't a code."""
    code = code.strip()
    return Occupation.objects.filter(code=code).first() if is_occupation_code(code) else None


@wizard_step(Audit.Step.ROLE)
def step_role(request: HtmxHttpRequest, audit: Audit) -> HttpResponse:
    occupation = audit.occupation
    query = audit.job_title
    searching = request.method == "POST" and request.POST.get("action") == "find"
    if searching:
        # "Find" re-lists occupations without saving or judging what's typed so far.
        query = request.POST.get("q", "")[:100]
        posted = request.POST.get("occupation", "")
        form = RoleForm(
            initial={
                "version": audit.version,
                "job_title": request.POST.get("job_title", ""),
                "occupation": posted,
            }
        )
        # The choice already made stays chosen next to the new matches.
        occupation = _occupation_named(posted)
    elif request.method == "POST":
        form = RoleForm(request.POST)
        if form.is_valid():
            job_title = form.cleaned_data["job_title"].strip()
            occupation_id = form.cleaned_data["occupation"]
            return _save_step(
                request,
                lambda: services.audit_save_role(
                    audit=audit,
                    expected_version=form.cleaned_data["version"],
                    job_title=job_title,
                    occupation_id=occupation_id,
                ),
                step="role",
                form_class=RoleForm,
                unchanged=lambda current: (
                    (current.job_title, current.occupation_id) == (job_title, occupation_id)
                ),
                then=_on_to(request, audit, Audit.Step.ACTIVITIES),
            )
        occupation = _occupation_named(request.POST.get("occupation", ""))
        query = request.POST.get("q", "") or query
    else:
        form = RoleForm(
            initial={
                "version": audit.version,
                "job_title": audit.job_title,
                "occupation": occupation.code if occupation else "",
            }
        )
    return _render(
        request,
        audit,
        "role",
        form,
        chosen=occupation,
        query=query,
        # Alternatives are listed when searching, or while nothing is chosen yet.
        matches=(
            [o for o in find_occupations(query)[:8] if o != occupation]
            if query and (searching or occupation is None)
            else []
        ),
    )


@require_safe
def occupation_options(request: HtmxHttpRequest) -> HttpResponse:
    """The occupation type-ahead inside the role step (an htmx fragment; the same
    search works without JavaScript through the step's own "Find" button)."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "assessments/steps/role.html#occupation-options",
        {"matches": find_occupations(query)[:8], "query": query, "chosen": None},
    )


# --- Step 2: activities -----------------------------------------------------------


def _suggestions(audit: Audit, used: set[int]) -> list[TaskStatement]:
    if audit.occupation_id is None:
        return []
    tasks = TaskStatement.objects.filter(occupation_id=audit.occupation_id).exclude(pk__in=used)
    return list(tasks[:SUGGESTION_LIMIT])


def _activities_initial(audit: Audit, activities: list[Activity]) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": audit.version}
    for i, activity in enumerate(activities, start=1):
        initial[f"activity_{i}"] = activity.description
        initial[f"task_{i}"] = activity.task_id
    return initial


@wizard_step(Audit.Step.ACTIVITIES)
def step_activities(request: HtmxHttpRequest, audit: Audit) -> HttpResponse:
    activities = list(_activities(audit))
    warnings: dict[str, str] = {}
    if request.method == "POST":
        form = ActivitiesForm(request.POST)
        adding = request.POST.get("add_task")
        if form.is_valid() and adding:
            return _add_suggestion(request, audit, form, adding)
        if form.is_valid() and form.check_count():
            drafts = form.drafts()
            titles = set(Occupation.objects.values_list("title", flat=True))
            findings = {
                i: check_granularity(d.description, titles) for i, d in enumerate(drafts, start=1)
            }
            warnings = {f"activity_{i}": f for i, f in findings.items() if f}  # type: ignore[misc]
            if not warnings or form.cleaned_data["acknowledged"]:
                return _save_step(
                    request,
                    lambda: services.audit_save_activities(
                        audit=audit,
                        expected_version=form.cleaned_data["version"],
                        drafts=drafts,
                        advance=True,
                    ),
                    step="activities",
                    form_class=ActivitiesForm,
                    unchanged=lambda current: (
                        [a.description for a in current.activities.all()]
                        == [d.description for d in drafts]
                    ),
                    then=_on_to(request, audit, Audit.Step.TIME),
                )
    else:
        form = ActivitiesForm(initial=_activities_initial(audit, activities))
    used = {a.task_id for a in activities if a.task_id}
    return _render(
        request, audit, "activities", form, suggestions=_suggestions(audit, used), warnings=warnings
    )


def _add_suggestion(
    request: HtmxHttpRequest, audit: Audit, form: ActivitiesForm, task_pk: str
) -> HttpResponse:
    """Put a task statement into the first empty slot and save the draft, keeping
    everything else the person typed."""
    pk = whole_number(task_pk)
    task = (
        TaskStatement.objects.filter(pk=pk, occupation_id=audit.occupation_id).first()
        if pk is not None and audit.occupation_id is not None
        else None
    )
    drafts = form.drafts()
    if task and len(drafts) < scoring.MAX_ACTIVITIES and task.pk not in {d.task_id for d in drafts}:
        drafts.append(services.ActivityDraft(task.text[:200].rstrip(), task.pk))
    elif task is None:
        messages.error(request, "That suggestion isn't available any more.")
    else:
        messages.info(request, "You already have ten activities: remove one to add another.")
    try:
        services.audit_save_activities(
            audit=audit, expected_version=form.cleaned_data["version"], drafts=drafts, advance=False
        )
    except services.StaleVersion as stale:
        return _conflict(request, stale.current, "activities", ActivitiesForm)
    if not request.htmx:
        return redirect(_step_url(audit, Audit.Step.ACTIVITIES) + "#activity-list")
    audit.refresh_from_db()
    return _render(
        request,
        audit,
        "activities",
        ActivitiesForm(initial=_activities_initial(audit, list(_activities(audit)))),
        suggestions=_suggestions(audit, {d.task_id for d in drafts if d.task_id}),
        warnings={},
    )


# --- Step 3: time -----------------------------------------------------------------


@wizard_step(Audit.Step.TIME)
def step_time(request: HtmxHttpRequest, audit: Audit) -> HttpResponse:
    activities = list(_activities(audit))
    if request.method == "POST":
        form = TimeForm(request.POST, activities=activities)
        if request.POST.get("preview"):  # the live total, as you type
            return render(request, "assessments/steps/time.html#share-total", {"form": form})
        if form.is_valid():
            return _save_step(
                request,
                lambda: services.audit_save_shares(
                    audit=audit,
                    expected_version=form.cleaned_data["version"],
                    shares=form.shares(),
                    activities=activities,
                ),
                step="time",
                form_class=TimeForm,
                unchanged=lambda current: (
                    {a.pk: a.share for a in current.activities.all()} == form.shares()
                ),
                then=_on_to(request, audit, Audit.Step.SCORES),
                with_activities=True,
            )
    else:
        form = TimeForm(initial={"version": audit.version}, activities=activities)
    return _render(request, audit, "time", form)


# --- Step 4: scores, which completes the audit -------------------------------------


@wizard_step(Audit.Step.SCORES)  # a completed audit (a double-clicked submit): its result
def step_scores(request: HtmxHttpRequest, audit: Audit) -> HttpResponse:
    activities = list(_activities(audit))
    services.activities_match(audit=audit, activities=activities)  # new wording only
    reassessing: dict[str, Any] = {
        "reassessing": audit.previous_id is not None,
        "ai_sources": audit.ai_sources,
        "evidence": evidence_for(activities),
    }
    if request.method == "POST":
        form = ScoresForm(request.POST, activities=activities, **reassessing)
        if opinion := request.POST.get("opinion"):  # a score or link changed: the note
            row = next((r for r in form.rows() if str(r.activity.pk) == opinion), None)
            if row is None:
                return HttpResponse(status=204)
            return render(request, "assessments/steps/scores.html#second-opinion", {"row": row})
        if form.is_valid():
            try:
                return _save_step(
                    request,
                    lambda: services.audit_save_scores(
                        audit=audit,
                        expected_version=form.cleaned_data["version"],
                        scores=form.scores(),
                        gaps=form.gaps(),
                        ai_sources=form.cleaned_data.get("ai_sources")
                        if form.reassessing
                        else None,
                        links=form.links(),
                    ),
                    step="scores",
                    form_class=ScoresForm,
                    # Completed in another tab meanwhile: its result is the answer.
                    unchanged=lambda current: not current.is_draft,
                    then=lambda: _go_result(request, audit),
                    with_activities=True,
                    **reassessing,
                )
            except services.Incomplete as problem:
                messages.error(request, str(problem))
                return leave_to(request, _step_url(audit, Audit.Step.TIME))
    else:
        form = ScoresForm(initial={"version": audit.version}, activities=activities, **reassessing)
    return _render(request, audit, "scores", form)


def _go_result(request: HtmxHttpRequest, audit: Audit) -> HttpResponse:
    return leave_to(request, reverse("assessments:result", args=[audit.code]))
