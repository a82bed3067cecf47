"""Django admin: the check-in log, for finding out why someone didn't get an email."""

from django.contrib import admin

from assessments.models import Checkin


@admin.register(Checkin)
class CheckinAdmin(admin.ModelAdmin[Checkin]):
    list_display = ["user", "period", "kind", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind", "period"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    date_hierarchy = "period"
    readonly_fields = [
        "user",
        "period",
        "kind",
        "attempts",
        "claimed_at",
        "sent_at",
        "last_error",
        "snapshot",
        "audit",
        "created_at",
    ]
    fields = ["state", "next_attempt_at", *readonly_fields]
