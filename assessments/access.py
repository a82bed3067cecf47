"""The only way views load a person's audits: by opaque code, and only if the
request may see it. Everything else is a 404 (never a 403, which would confirm the
code exists)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest

from accounts.models import CoachLink
from assessments.models import Audit, Plan

SESSION_KEY = "ladder_audit_key"


def anonymous_key(request: HttpRequest) -> str:
    """The visitor's secret for audits made before they had an account ("" if none)."""
    value = request.session.get(SESSION_KEY, "")
    return value if isinstance(value, str) else ""


def audit_for(request: HttpRequest, code: UUID | str, *, related: tuple[str, ...] = ()) -> Audit:
    """The audit with ``code`` if it belongs to the signed-in person, or is an
    unclaimed audit started in this browser session; otherwise 404. ``related``: more
    relations to read in the same query (the result page: its snapshot and plan)."""
    try:
        audit = Audit.objects.select_related("occupation", *related).get(code=code)
    except (Audit.DoesNotExist, ValueError) as error:
        raise Http404("No such audit") from error
    if request.user.is_authenticated and audit.owner_id == request.user.pk:
        return audit
    key = anonymous_key(request)
    if audit.owner_id is None and key and audit.anonymous_key == key:
        return audit
    raise Http404("No such audit")


def plan_for(request: HttpRequest, code: UUID) -> Plan:
    """The plan with ``code`` if it belongs to the signed-in person; otherwise 404."""
    if not request.user.is_authenticated:
        raise Http404("No such plan")
    try:
        return Plan.objects.select_related("audit", "audit__snapshot", "owner").get(
            code=code, owner_id=request.user.pk
        )
    except (Plan.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("No such plan") from error


def link_for_coach(request: HttpRequest, code: UUID | str) -> CoachLink:
    """The active link ``code`` where the signed-in person is the coach; else 404."""
    if not request.user.is_authenticated:
        raise Http404("No such client")
    try:
        return CoachLink.objects.select_related("client").get(
            code=code, coach_id=request.user.pk, state=CoachLink.State.ACTIVE
        )
    except (CoachLink.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("No such client") from error


def link_for_client(request: HttpRequest, code: UUID | str) -> CoachLink:
    """The active link ``code`` where the signed-in person is the client; else 404."""
    if not request.user.is_authenticated:
        raise Http404("No such coach")
    try:
        return CoachLink.objects.select_related("coach").get(
            code=code, client_id=request.user.pk, state=CoachLink.State.ACTIVE
        )
    except (CoachLink.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("No such coach") from error


def invitation_sent_by(request: HttpRequest, code: UUID | str) -> CoachLink:
    """An invitation ``code`` that the signed-in person sent (either way); else 404."""
    if not request.user.is_authenticated:
        raise Http404("No such invitation")
    mine = Q(invited_by=CoachLink.Side.COACH, coach_id=request.user.pk) | Q(
        invited_by=CoachLink.Side.CLIENT, client_id=request.user.pk
    )
    try:
        return CoachLink.objects.get(mine, code=code)
    except (CoachLink.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("No such invitation") from error


def audit_for_coach(link: CoachLink, code: UUID | str) -> Audit:
    """A completed audit of the link's client (drafts are not shared); else 404."""
    try:
        return Audit.objects.select_related("snapshot", "occupation").get(
            code=code, owner_id=link.client_id, status=Audit.Status.COMPLETE
        )
    except (Audit.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("No such audit") from error
