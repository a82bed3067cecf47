from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import CoachLink, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "time_zone",
        "next_checkin_at",
        "checkins_paused",
        "date_joined",
    ]
    list_filter = ["checkins_paused", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["code", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("code", "email", "password")}),
        ("Profile", {"fields": ("name", "time_zone")}),
        ("Check-ins", {"fields": ("next_checkin_at", "checkins_paused")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(CoachLink)
class CoachLinkAdmin(admin.ModelAdmin[CoachLink]):
    """Invitations and coaching links; "reported" lists the invitations whose recipient
    said they didn't know the sender or the note was abuse."""

    list_display = ["email", "coach", "client", "invited_by", "state", "created_at", "reported_at"]
    list_filter = ["state", "invited_by", ("reported_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "coach__email", "client__email", "message"]
    list_select_related = ["coach", "client"]
    readonly_fields = ["code", "created_at", "responded_at", "ended_at", "reported_at"]
    ordering = ["-created_at"]
