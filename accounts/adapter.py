"""How allauth hands over to Ladder.

A visitor's audits are never added to an account silently: on a shared computer the
next person to log in would get the previous visitor's results. After log-in, My
ladder asks whether the results made in this browser before logging in are theirs."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    pass
