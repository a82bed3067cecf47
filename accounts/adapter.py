"""How allauth hands over to Ladder.

A visitor's audits are never added to an account silently: on a shared computer the
next person to log in would get the previous visitor's results. After log-in, My
ladder asks whether the results made in this browser before logging in are theirs.

Account email (confirmations, password resets, log-in codes) is sent while the person
waits. When the mail server is down or refuses for a moment, the page still answers:
what was done stays done (the account exists, the code is issued) and the person is
told the email didn't go and how to get it again."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.contrib import messages
from django.http import HttpRequest

from accounts.models import User

log = logging.getLogger(__name__)

# What to do when each kind of email could not be sent (allauth's template prefixes).
NOT_SENT = {
    "account/email/email_confirmation_signup": (
        "We couldn't send the confirmation email to {email} just now: our mail server "
        "didn't answer. Your account is saved. In a few minutes, log in and we'll send "
        "it again."
    ),
    "account/email/email_confirmation": (
        "We couldn't send the confirmation email to {email} just now. Try “Send again” "
        "in a few minutes."
    ),
    "account/email/password_reset_key": (
        "We couldn't send the reset email just now: our mail server didn't answer. "
        "Nothing has changed. Try again in a few minutes."
    ),
    "account/email/login_code": (
        "We couldn't send your log-in code just now. Ask for a new code in a few minutes, "
        "or log in with your password."
    ),
}
# The emails sent instead, when the address has an account (signing up again) or has
# none (a reset): the same words, so the message doesn't tell which.
NOT_SENT["account/email/account_already_exists"] = NOT_SENT[
    "account/email/email_confirmation_signup"
]
NOT_SENT["account/email/unknown_account"] = NOT_SENT["account/email/password_reset_key"]
NOT_SENT_OTHERWISE = "We couldn't send an email to {email} just now. Try again in a few minutes."


class AccountAdapter(DefaultAccountAdapter):
    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        """Not to an address that is already another account's: its owner would get
        "confirm your email" mail for an account they never made. The page says what
        it always says, so it doesn't tell the adder whose address it is."""
        address = emailconfirmation.email_address
        taken = (
            EmailAddress.objects.filter(email__iexact=address.email)
            .exclude(user_id=address.user_id)
            .exists()
            or User.objects.filter(email__iexact=address.email).exclude(pk=address.user_id).exists()
        )
        if taken:
            log.info("No confirmation sent: the address belongs to another account")
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as error:  # refused, 4xx/5xx, timed out
            log.warning("Account email %s not sent: %s", template_prefix, error)
            request = allauth_context.request
            if request is not None:
                wording = NOT_SENT.get(template_prefix, NOT_SENT_OTHERWISE)
                messages.error(request, wording.format(email=email))
