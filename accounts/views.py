from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.services import user_delete, user_move_time_zone
from ladder.http import AuthenticatedHttpRequest


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    old_zone = user.time_zone
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        # Only these fields: a check-in sweep may have moved next_checkin_at meanwhile.
        person.save(update_fields=["name", "time_zone"])
        if person.time_zone != old_zone:
            user_move_time_zone(user=person, old_zone=old_zone)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def _without_password(request: AuthenticatedHttpRequest) -> bool:
    return not request.user.has_usable_password()


@login_required
@reauthentication_required(enabled=_without_password, allow_get=True)
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, "Too many attempts. Wait a minute and try again.")
        elif form.is_valid():
            email = user.email
            logout(request)
            user_delete(user=user)
            messages.success(request, f"The account for {email} and everything in it is deleted.")
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
