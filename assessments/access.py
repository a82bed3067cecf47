"""The only way views load a person's audits: by opaque code, and only if the
request may see it. Everything else is a 404 (never a 403, which would confirm the
code exists)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from assessments.models import Audit

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
