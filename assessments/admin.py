"""Django admin: every background email's delivery, for finding out why someone
didn't get one. A row can be put back to pending (with a new next attempt) to try
it again; everything else is read-only."""

from typing import Any

from django.contrib import admin

from assessments.models import Checkin, CoachDigest, InvitationEmail, NoteEmail

DELIVERY = ["attempts", "claimed_at", "sent_at", "last_error", "created_at"]


class OutboxAdmin(admin.ModelAdmin[Any]):
    """What every background email shows: its state, attempts and last error."""

    list_filter = ["state", "created_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # rows are written by the code that sends them


@admin.register(Checkin)
class CheckinAdmin(OutboxAdmin):
    list_display = [
        "user",
        "user__email",
        "period",
        "kind",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "kind", "period"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    date_hierarchy = "period"
    readonly_fields = ["user", "period", "kind", *DELIVERY, "snapshot", "audit"]
    fields = ["state", "next_attempt_at", *readonly_fields]


@admin.register(NoteEmail)
class NoteEmailAdmin(OutboxAdmin):
    list_display = [
        "client",
        "client__email",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    ]
    search_fields = ["client__email"]
    list_select_related = ["client"]
    readonly_fields = ["client", *DELIVERY]
    fields = ["state", "next_attempt_at", *readonly_fields]


@admin.register(CoachDigest)
class CoachDigestAdmin(OutboxAdmin):
    list_display = ["coach", "coach__email", "week", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "week"]
    search_fields = ["coach__email"]
    list_select_related = ["coach"]
    readonly_fields = ["coach", "week", *DELIVERY]
    fields = ["state", "next_attempt_at", *readonly_fields]


@admin.register(InvitationEmail)
class InvitationEmailAdmin(OutboxAdmin):
    list_display = ["invited", "state", "attempts", "created_at", "sent_at", "last_error"]
    search_fields = ["link__email"]
    list_select_related = ["link"]
    readonly_fields = ["link", *DELIVERY]
    fields = ["state", "next_attempt_at", *readonly_fields]

    @admin.display(description="invited address", ordering="link__email")
    def invited(self, row: InvitationEmail) -> str:
        return row.link.email
