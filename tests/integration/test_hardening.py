"""What an attacker found open (issue "Hold under attack"): the admin's log-in, rate limits
behind a proxy, personal pages in shared caches, and the health check under a session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD, make_person
from tests.totp import fresh_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: None) -> User:
    person = make_person("admin@example.com", "Ada Admin")
    person.is_staff = person.is_superuser = True
    person.save()
    return person


def _log_in(client: Client, email: str, password: str = PASSWORD, **headers: Any) -> Any:
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, follow=True, **headers
    )


# --- The admin: our log-in, with its second factor and limits -------------------------


def test_the_admin_log_in_page_sends_people_to_ours(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # A password posted to the admin's own form is not a way in any more.
    posted = client.post("/admin/login/", {"username": "admin@example.com", "password": "x"})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_with_two_factor_reach_the_admin_only_after_the_code(client, staff):
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(staff, secret)
    _log_in(client, staff.email)
    assert "_auth_user_id" not in client.session  # the password alone isn't enough
    assert client.get("/admin/").status_code == 302
    page = client.post("/accounts/2fa/authenticate/", {"code": fresh_totp(secret)}, follow=True)
    assert page.status_code == 200
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_staff_without_two_factor_log_in_to_the_admin_through_our_form(client, staff):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    _log_in(client, staff.email)
    assert client.get("/admin/").status_code == 200


def test_the_admin_counts_failed_passwords_like_our_log_in(client, staff):
    for _ in range(5):
        _log_in(client, staff.email, "wrong")
    blocked = _log_in(client, staff.email)
    assert "Too many failed login attempts" in blocked.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_person_who_is_not_staff_is_refused_the_admin(maya):
    assert maya.get("/admin/").status_code in (302, 403)
    assert maya.get("/admin/login/").status_code == 403


# --- Rate limits behind a proxy ---------------------------------------------------------


def _wrong_from(client: Client, email: str, address: str) -> None:
    _log_in(client, email, "wrong", HTTP_X_FORWARDED_FOR=address, REMOTE_ADDR="10.0.0.1")


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_behind_our_proxy_one_visitor_cannot_lock_out_the_others(behind_proxy, client):
    """Every request arrives from the proxy (10.0.0.1); the visitor's own address is the
    one the proxy appended to X-Forwarded-For."""
    make_person("rosa@example.com")
    for n in range(12):  # the per-IP limit is 10 a minute, across made-up accounts
        _wrong_from(Client(), f"nobody{n}@example.com", "203.0.113.9")
    rosa = Client()
    _log_in(rosa, "rosa@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert "_auth_user_id" in rosa.session


def test_behind_our_proxy_the_attacker_is_still_limited(behind_proxy, individual):
    attacker = Client()
    for n in range(10):
        _wrong_from(attacker, f"nobody{n}@example.com", "203.0.113.9")
    blocked = attacker.post(
        "/accounts/login/",
        {"login": "maya@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert "_auth_user_id" not in attacker.session
    assert blocked.status_code == 429 or "Too many" in blocked.content.decode()


def test_a_spoofed_header_without_a_proxy_of_ours_changes_nothing(client, individual):
    """With no trusted proxy (the default), X-Forwarded-For is ignored: an attacker can't
    dodge the limit by making up a new address for each try."""
    for n in range(11):
        _log_in(Client(), f"nobody{n}@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    blocked = Client().post(
        "/accounts/login/",
        {"login": "maya@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert blocked.status_code == 429 or "Too many" in blocked.content.decode()


def test_a_locked_account_can_still_log_in_with_an_emailed_code(client, individual, mailoutbox):
    for _ in range(6):
        _log_in(Client(), individual.email, "wrong")
    client.post("/accounts/login/code/", {"email": individual.email})
    code = next(
        line.strip()
        for line in mailoutbox[-1].body.splitlines()
        if len(line.strip()) == 9 and line.strip()[4] == "-"
    )
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(individual.pk)


# --- Personal pages stay out of shared caches ------------------------------------------


@pytest.mark.parametrize("path", ["/ladder/", "/accounts/email/", "/coach/"])
def test_pages_behind_log_in_are_private(maya, path):
    response = maya.get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_the_data_export_is_never_stored(maya):
    response = maya.get("/accounts/export/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_are_not_marked_private(client):
    response = client.get("/about/data/")
    assert "private" not in response.get("Cache-Control", "")


# --- The health check never reads the session ------------------------------------------


def test_healthz_with_a_session_cookie_does_not_read_the_session(maya, django_assert_num_queries):
    """Before, the time-zone middleware loaded the person for /healthz: with the
    database down that was a 500 instead of the check's own 503."""
    assert maya.cookies.get("sessionid")
    with django_assert_num_queries(2):  # SELECT 1 and the sweep's heartbeat, nothing more
        response = maya.get("/healthz")
    assert response.status_code in (200, 503)
    assert "Cache-Control" in response


def test_healthz_with_a_session_cookie_answers_503_when_the_database_is_down(maya, monkeypatch):
    def down(*args: Any, **kwargs: Any) -> Any:
        from django.db import OperationalError

        raise OperationalError("the database is restarting")

    monkeypatch.setattr(connection, "cursor", down)
    response = maya.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


# --- Account email while the mail server is down ----------------------------------------


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_sign_up_with_the_mail_server_down_keeps_the_account_and_says_so(client, smtp_sink):
    smtp_sink.down()
    response = client.post(
        "/accounts/signup/",
        {"email": "rosa@example.com", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "couldn't send the confirmation email to rosa@example.com" in _messages(response)
    assert User.objects.filter(email="rosa@example.com").exists()
    # Back up, "in a few minutes": logging in sends the confirmation again.
    smtp_sink.up()
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        Client().post("/accounts/login/", {"login": "rosa@example.com", "password": PASSWORD})
    message = smtp_sink.wait_for("rosa@example.com")
    assert "confirm" in message["Subject"].lower()


def test_signing_up_again_with_the_mail_server_down_says_the_same(client, individual, smtp_sink):
    smtp_sink.down()
    data = {"email": individual.email, "password1": PASSWORD, "password2": PASSWORD}
    existing = client.post("/accounts/signup/", data, follow=True)
    new = Client().post("/accounts/signup/", {**data, "email": "new@example.com"}, follow=True)
    assert existing.status_code == new.status_code == 200
    assert _messages(existing).replace(individual.email, "X") == _messages(new).replace(
        "new@example.com", "X"
    )


@pytest.mark.parametrize("email", ["maya@example.com", "nobody@example.com"])
def test_a_password_reset_with_the_mail_server_down_says_try_again(
    client, individual, smtp_sink, email
):
    smtp_sink.down()
    response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
    assert response.status_code == 200
    assert "couldn't send the reset email just now" in _messages(response)
    smtp_sink.up()
    client.post("/accounts/password/reset/", {"email": email})
    assert smtp_sink.wait_for(email)


def test_a_log_in_code_with_the_mail_server_down_says_so(client, individual, smtp_sink):
    smtp_sink.down()
    response = client.post("/accounts/login/code/", {"email": individual.email}, follow=True)
    assert response.status_code == 200
    assert "couldn't send your log-in code" in _messages(response)


# --- Sign-up does the same work whether or not the address has an account ---------------


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how many passwords it hashes."""

    hashed: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashed.append(password)
        return super().encode(password, salt)


def test_sign_up_hashes_the_password_whether_or_not_the_address_has_an_account(
    client, individual, settings
):
    settings.PASSWORD_HASHERS = ["tests.integration.test_hardening.CountingHasher"]
    CountingHasher.hashed.clear()
    data = {"password1": "a long new passphrase 8", "password2": "a long new passphrase 8"}
    existing = client.post("/accounts/signup/", {**data, "email": individual.email})
    assert CountingHasher.hashed == ["a long new passphrase 8"]
    new = Client().post("/accounts/signup/", {**data, "email": "new@example.com"})
    assert CountingHasher.hashed == ["a long new passphrase 8"] * 2
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"]
    individual.refresh_from_db()
    assert individual.check_password(PASSWORD)  # the existing account is untouched


# --- Adding someone else's address ------------------------------------------------------


def test_adding_another_accounts_address_sends_its_owner_nothing(
    maya, individual, second_individual
):
    mail.outbox.clear()
    taken = maya.post("/accounts/email/", {"email": second_individual.email, "action_add": ""})
    free = maya.post("/accounts/email/", {"email": "maya.work@example.com", "action_add": ""})
    assert taken.status_code == free.status_code == 302  # the same answer to both
    assert [m.to for m in mail.outbox] == [["maya.work@example.com"]]
    assert "confirm" in mail.outbox[0].subject.lower()


# --- Starting audits without end -------------------------------------------------------


def test_a_visitor_starting_audit_after_audit_is_paused_for_a_while(client):
    start = "/audit/new/"
    for _ in range(20):
        assert client.post(start).status_code == 302
    paused = client.post(start)
    assert paused.status_code == 429
    assert "started a lot of audits in the last hour" in paused.text
    assert "Continue where you left off" in paused.text  # their draft is a click away
    # Another person behind another address is not affected.
    assert Client(REMOTE_ADDR="192.0.2.9").post(start).status_code == 302


def test_one_address_is_limited_across_browsers(client):
    for _ in range(60):
        Client(REMOTE_ADDR="192.0.2.50").post("/audit/new/")
    assert Client(REMOTE_ADDR="192.0.2.50").post("/audit/new/").status_code == 429
