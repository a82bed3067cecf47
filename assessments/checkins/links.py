"""Signed links in check-in emails: the check-in link (valid 30 days) and the
one-click unsubscribe link."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError

from accounts.models import User
from assessments.models import Checkin

LINK_MAX_AGE = timedelta(days=30)
LINK_SALT = "ladder.checkin-link"


UNSUBSCRIBE_SALT = "ladder.checkin-unsubscribe"


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
    return signing.dumps(str(user.code), salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe(token: str) -> User | None:
    try:
        code = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return User.objects.get(code=code)
    except (signing.BadSignature, User.DoesNotExist, ValueError, TypeError, ValidationError):
        return None
