"""How allauth hands over to Ladder: a visitor's audits join the account they sign
up for or log in to, in the same request."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts.models import User
from assessments.access import SESSION_KEY, anonymous_key
from assessments.services import audits_claim


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        saved: User = super().save_user(request, user, form, commit)
        if commit:
            _claim(request, saved)
        return saved

    def login(self, request: HttpRequest, user: User) -> None:
        key = anonymous_key(request)  # read before login rotates the session
        super().login(request, user)
        if key:
            audits_claim(user=user, anonymous_key=key)


def _claim(request: HttpRequest, user: User) -> None:
    key = anonymous_key(request)
    if key and audits_claim(user=user, anonymous_key=key):
        request.session.pop(SESSION_KEY, None)
