"""Every email Ladder sends is rendered here, from three templates per email:
``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``.

Background email (check-ins, reminders, coach notes, digests, invitations) is then
sent through ``ladder.outbox``; account email (confirmations, password resets) is
django-allauth's own."""

from __future__ import annotations

import contextlib
import email.policy
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone


class LadderEmail(EmailMultiAlternatives):
    """Headers are written on one line up to RFC 5322's 998 characters. Python folds at
    78, and a header value without spaces to fold at (the long URL of
    ``List-Unsubscribe``) then becomes RFC 2047 encoded words, which mail providers
    don't read as an unsubscribe link (RFC 8058 wants the plain value)."""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


def absolute_url(path: str) -> str:
    """A path on this site as a link that works from an email (``SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def render_email(
    name: str,
    context: Mapping[str, Any],
    *,
    to: Sequence[str],
    headers: Mapping[str, str] | None = None,
    reply_to: Sequence[str] = (),
    time_zone: str | None = None,
) -> LadderEmail:
    """The email ``name`` with ``context``: a one-line subject, the plain-text body
    and the HTML alternative. Dates and times read in ``time_zone`` (the recipient's)
    when it is given."""
    zone = timezone.override(ZoneInfo(time_zone)) if time_zone else contextlib.nullcontext()
    with zone:
        subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = LadderEmail(
        subject=subject,
        body=text,
        to=list(to),
        headers=dict(headers or {}),
        reply_to=list(reply_to),
    )
    message.attach_alternative(html, "text/html")
    return message
