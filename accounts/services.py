"""Actions on accounts that touch more than one row."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Remove the person and everything that is theirs.

    Every model that belongs to a person points at ``User`` with ``on_delete=CASCADE``
    (email addresses, authenticators, sessions are dropped on log-out), so deleting
    the row removes it all in one transaction.
    """
    User.objects.filter(pk=user.pk).delete()
