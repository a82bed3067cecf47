"""Actions on accounts that touch more than one row."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Remove the person and everything that is theirs.

    Every model that belongs to a person points at ``User`` with ``on_delete=CASCADE``
    (email addresses, authenticators, sessions are dropped on log-out), so deleting
    the row removes it all in one transaction.

    The person's own row is locked first, the order the check-in sweep takes its locks
    in (the person, then their check-in rows). Deleting the related rows first could
    deadlock with a sweep claiming this person at that moment; this way one of the two
    waits for the other, and a sweep that comes second finds nobody to claim.
    """
    if list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True)):
        User.objects.filter(pk=user.pk).delete()


def user_move_time_zone(*, user: User, old_zone: str) -> None:
    """After ``user`` moved from ``old_zone`` to their new time zone, keep their next
    check-in on the same day at the same hour on the clock (9:00 there becomes 9:00
    here). Only a row still holding the date read here is changed, so a sweep that
    claimed the check-in meanwhile wins."""
    fresh = User.objects.filter(pk=user.pk).values_list("next_checkin_at", flat=True).first()
    if fresh is None:
        return
    local = timezone.localtime(fresh, ZoneInfo(old_zone))
    moved = datetime.combine(local.date(), local.time(), tzinfo=ZoneInfo(user.time_zone))
    User.objects.filter(pk=user.pk, next_checkin_at=fresh).update(next_checkin_at=moved)
