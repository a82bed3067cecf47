"""How allauth hands over to Ladder: a visitor's audits join the account they log in
to, in the same browser. Signing up alone doesn't claim them: the new account can't
log in until its address is confirmed, and a mistyped address must not swallow the
visitor's result."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts.models import User
from assessments.access import SESSION_KEY, anonymous_key
from assessments.services import audits_claim


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request: HttpRequest, user: User) -> None:
        key = anonymous_key(request)
        super().login(request, user)
        if key:
            audits_claim(user=user, anonymous_key=key)
            request.session.pop(SESSION_KEY, None)
