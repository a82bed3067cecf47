"""A person signs up, confirms their address from a real email, protects the account
with an authenticator app and logs in with it; and logs in by an emailed code."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, Tab, make_person
from tests.smtp import SmtpSink, text_of
from tests.totp import fresh_totp, totp

pytestmark = pytest.mark.django_db(transaction=True)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_sign_up_confirm_two_factor_and_log_in_with_the_code(tab: Tab, smtp_sink: SmtpSink) -> None:
    page = tab.page
    tab.goto("/")
    tab.screenshot("landing")
    tab.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up"))
    tab.screenshot("signup")

    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    tab.follow(page.get_by_role("button", name="Create account"))
    assert "Verify your email" in page.content() or "verification" in page.content().lower()

    message = smtp_sink.wait_for("ana@example.com")
    assert message["Subject"] == "Ladder: Confirm your email address"
    link = re.search(r"https?://\S+/confirm-email/\S+/", text_of(message)).group(0)
    tab.goto(_path(link))
    tab.follow(page.get_by_role("button", name="Confirm"))

    # Log in with the password.
    if "/accounts/login/" not in page.url:
        tab.goto("/accounts/login/")
    tab.screenshot("login")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    tab.follow(page.get_by_role("button", name="Log in", exact=True))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # Set up two-factor authentication with an authenticator app.
    tab.goto("/accounts/2fa/")
    tab.screenshot("two-factor")
    tab.follow(page.get_by_role("link", name="Activate").first)
    if page.get_by_label("Password").count():  # allauth asks for the password again
        page.get_by_label("Password").fill(PASSWORD)
        tab.follow(page.get_by_role("button", name="Confirm"))
    tab.screenshot("two-factor-activate")
    secret = page.locator("#authenticator_secret").input_value()
    activation_code = fresh_totp(secret)
    page.get_by_label("Authenticator code").fill(activation_code)
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("heading", name=re.compile("recovery codes", re.IGNORECASE)).first.wait_for()
    tab.assert_accessible()
    tab.screenshot("two-factor-recovery-codes")

    tab.follow(page.get_by_role("button", name="Log out"))
    if page.get_by_role("heading", name="Log out").count():  # allauth's confirmation page
        tab.follow(page.locator("main").get_by_role("button", name="Log out"))

    # Log in again: the password, then the code from the app.
    tab.goto("/accounts/login/")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    tab.follow(page.get_by_role("button", name="Log in", exact=True))
    tab.screenshot("two-factor-authenticate")
    while totp(secret) == activation_code:  # a used code is refused; wait for the next one
        time.sleep(1)
    page.get_by_label("Code").fill(fresh_totp(secret))
    tab.follow(page.get_by_role("button", name="Log in", exact=True))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_log_in_by_a_code_sent_by_email(tab: Tab, smtp_sink: SmtpSink) -> None:
    make_person("ben@example.com", "Ben Okafor")
    page = tab.page
    tab.goto("/accounts/login/")
    tab.follow(page.get_by_role("link", name="Email me a log-in code instead"))
    page.get_by_label("Email").fill("ben@example.com")
    tab.follow(page.get_by_role("button", name="Email me a code"))
    tab.screenshot("login-code")

    code = re.search(
        r"^([A-Z0-9]{4}-[A-Z0-9]{4})\r?$", text_of(smtp_sink.wait_for("ben@example.com")), re.M
    ).group(1)
    page.get_by_label("Code").fill(code)
    tab.follow(page.get_by_role("button", name="Confirm"))
    expect(page.get_by_role("link", name="Ben Okafor")).to_be_visible()


def test_error_pages_look_like_the_product(tab: Tab) -> None:
    tab.goto("/no-such-page/")
    expect(tab.page.get_by_role("heading", name="We can't find that page")).to_be_visible()
    tab.screenshot("404")


def test_profile_then_delete_the_account(tab: Tab) -> None:
    make_person("cleo@example.com", "Cleo")
    page = tab.page
    tab.log_in("cleo@example.com", PASSWORD)

    tab.follow(page.get_by_role("link", name="Cleo"))
    page.get_by_label("Name").fill("Cleo Martin")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    tab.follow(page.get_by_role("button", name="Save profile"))
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    tab.screenshot("profile")

    tab.follow(page.get_by_role("link", name="Delete account"))
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I understand").check()
    tab.follow(
        page.get_by_role("button", name="Delete my account for good")
    )  # the error state, too
    expect(page.get_by_text("That is not your current password.")).to_be_visible()
    tab.screenshot("delete-account-error")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    tab.follow(page.get_by_role("button", name="Delete my account for good"))
    expect(page.get_by_text("is deleted")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def test_an_expired_form_gets_a_clear_page_not_a_crash(tab: Tab) -> None:
    tab.goto("/accounts/login/")
    tab.page.context.clear_cookies()  # as if the session ended in another tab
    tab.page.get_by_label("Email").fill("someone@example.com")
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.follow(tab.page.get_by_role("button", name="Log in", exact=True))
    expect(tab.page.get_by_role("heading", name="This form has expired")).to_be_visible()
    tab.screenshot("csrf")
