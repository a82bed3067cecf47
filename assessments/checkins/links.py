"""Signed links in check-in emails: the check-in link (valid 30 days) and the
one-click unsubscribe link (valid a year, and only until check-ins are turned back on)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError

from accounts.models import User
from assessments.models import Checkin

LINK_MAX_AGE = timedelta(days=30)
LINK_SALT = "ladder.checkin-link"


UNSUBSCRIBE_SALT = "ladder.checkin-unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)  # four quarters of check-in emails


class LinkProblem(Exception):
    """A check-in link that can't be used; ``kind`` is "expired" or "invalid"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def link_token(checkin: Checkin) -> str:
    return signing.dumps({"c": checkin.pk, "u": str(checkin.user.code)}, salt=LINK_SALT)


def checkin_for_token(token: str) -> Checkin:
    """The check-in a link was made for, or LinkProblem."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkProblem("expired") from error
    except signing.BadSignature as error:
        raise LinkProblem("invalid") from error
    try:
        return Checkin.objects.select_related("user", "audit").get(
            pk=data["c"], user__code=data["u"], kind=Checkin.Kind.CHECKIN
        )
    except (Checkin.DoesNotExist, KeyError, TypeError, ValueError, ValidationError) as error:
        raise LinkProblem("invalid") from error


def unsubscribe_token(user: User) -> str:
    payload = {"u": str(user.code), "v": user.unsubscribe_version}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe(token: str) -> User:
    """The person an unsubscribe link was made for, or LinkProblem: "invalid", or
    "stale" for a link over a year old or from before check-ins were turned back on."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkProblem("stale") from error
    except signing.BadSignature as error:
        raise LinkProblem("invalid") from error
    # Links sent before versions existed carry the bare code, and count as version 0.
    code, version = (data.get("u"), data.get("v")) if isinstance(data, dict) else (data, 0)
    try:
        user = User.objects.get(code=str(code))
    except (User.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise LinkProblem("invalid") from error
    if version != user.unsubscribe_version:
        raise LinkProblem("stale")
    return user
