"""People: a custom user whose login is their email address."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError("Choose a time zone from the list, for example Europe/London.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using Ladder. They sign in with their email address; ``code`` is the
    opaque id used wherever a person appears in a URL."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(
        max_length=100, blank=True, help_text="How we greet you, and how a coach sees you."
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Used for calendar events and the time your check-in emails arrive.",
    )
    # The quarterly check-in (step S6): when the next email is due, and whether the
    # person paused them (or unsubscribed with one click).
    next_checkin_at = models.DateTimeField("next check-in", null=True, blank=True)
    checkins_paused = models.BooleanField("check-in emails paused", default=False)
    # In every one-click unsubscribe link; raised when check-ins are turned back on, so
    # the links in older emails stop working.
    unsubscribe_version = models.PositiveIntegerField(default=0, editable=False)
    coach_digest = models.BooleanField(
        "weekly coach digest",
        default=True,
        help_text="One email a week about your clients, if you coach anyone.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]
        indexes = [
            # The check-in sweep's question: who is due now?
            # (next_checkin_at, id): the sweep's order, so a batch reads only its rows.
            models.Index(
                fields=["next_checkin_at", "id"],
                name="user_checkin_due_idx",
                condition=models.Q(checkins_paused=False, next_checkin_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        """The person's name, or the part of their email before the @."""
        return self.name or self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.display_name


class CoachLink(models.Model):
    """Consent for a coach to see a client's ladder: audits, snapshots, plans and
    check-in status, nothing else. Either side invites the other by email; the
    invitee accepts or declines. Only an active link gives access, and the client can
    revoke it (or the coach end it) at any time."""

    class State(models.TextChoices):
        PENDING = "pending", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REVOKED = "revoked", "Revoked by the client"
        ENDED = "ended", "Ended by the coach"

    class Side(models.TextChoices):
        COACH = "coach", "The coach"
        CLIENT = "client", "The client"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coach = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="client_links"
    )
    client = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="coach_links"
    )
    invited_by = models.CharField(max_length=6, choices=Side.choices)
    email = models.EmailField("invited address", max_length=254)
    message = models.TextField("a note with the invitation", max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The invited person said they don't know the sender, or the note was abuse: the
    # invitation is declined, and staff see it in admin ("reported").
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The inviter's side is always known; the invitee's once they accept.
            models.CheckConstraint(
                condition=(models.Q(invited_by="coach", coach__isnull=False))
                | models.Q(invited_by="client", client__isnull=False),
                name="coachlink_inviter_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active")
                | models.Q(coach__isnull=False, client__isnull=False),
                name="coachlink_active_has_both",
            ),
            models.UniqueConstraint(
                fields=["coach", "client"],
                condition=models.Q(state="active"),
                name="coachlink_one_active_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["coach", "state"]),
            models.Index(fields=["client", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.coach or self.email} coaching {self.client or self.email} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def inviter(self) -> User | None:
        """Who sent the invitation (the coach or the client, by ``invited_by``)."""
        return self.coach if self.invited_by == self.Side.COACH else self.client

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
