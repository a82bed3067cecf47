"""Accounts: sign-up with verification, log-in, reset without enumeration, log-in by
emailed code, rate limits, two-factor, profile and deletion."""

import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, links_in
from tests.totp import totp

pytestmark = pytest.mark.django_db


def _sign_up(client, email="new@example.com"):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_sign_up_needs_email_verification_before_log_in(client):
    response = _sign_up(client, "New.Person@Example.com")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Ladder: Confirm your email address"
    assert "create a Ladder account" in message.body

    # Logging in before confirming only re-sends the link.
    client.logout()
    client.post("/accounts/login/", {"login": "new.person@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    link = next(url for url in links_in(message.body) if "/confirm-email/" in url)
    path = link.split("testserver", 1)[1]
    # A mail scanner opening the link changes nothing; the button does.
    page = client.get(path)
    assert page.status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified

    client.post("/accounts/login/", {"login": "new.person@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_email_is_the_login_and_unique_whatever_the_case(client, individual):
    response = _sign_up(client, "MAYA@example.com")
    assert User.objects.filter(email__iexact="maya@example.com").count() == 1
    # The page doesn't reveal that the address is taken; an email tells the owner.
    assert response.status_code == 302
    assert "you already have one" in mail.outbox[-1].body


def test_log_in_and_log_out(client, individual):
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(individual.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_so_next_to_the_form(client, individual):
    response = client.post("/accounts/login/", {"login": "maya@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, individual):
    known = client.post("/accounts/password/reset/", {"email": "maya@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["maya@example.com"], ["nobody@example.com"]]
    assert "choose a new password" in mail.outbox[0].body
    assert "There is no Ladder account" in mail.outbox[1].body


def test_password_reset_link_sets_a_new_password(client, individual):
    client.post("/accounts/password/reset/", {"email": "maya@example.com"})
    link = next(url for url in links_in(mail.outbox[0].body) if "/password/reset/key/" in url)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    action = form_page.redirect_chain[-1][0]
    client.post(
        action, {"password1": "a brand new passphrase 7", "password2": "a brand new passphrase 7"}
    )
    individual.refresh_from_db()
    assert individual.check_password("a brand new passphrase 7")


def test_log_in_by_a_code_sent_by_email(client, individual):
    client.post("/accounts/login/code/", {"email": "maya@example.com"})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE).group(1)
    assert code in mail.outbox[0].subject
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(individual.pk)


def test_failed_log_ins_are_rate_limited(client, individual):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "maya@example.com", "password": "wrong"})
    blocked = client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_password_reset_is_rate_limited(client, individual):
    statuses = [
        client.post("/accounts/password/reset/", {"email": "maya@example.com"}).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [302] * 5
    assert 429 in statuses[5:]
    assert len(mail.outbox) == 5


def test_two_factor_with_an_authenticator_app(client, individual):
    client.force_login(individual)
    # allauth asks for the password again before security changes.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=individual, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get("/accounts/2fa/recovery-codes/", follow=True)
    assert codes_page.status_code == 200
    assert Authenticator.objects.filter(
        user=individual, type=Authenticator.Type.RECOVERY_CODES
    ).exists()

    # Next 30-second window, so the code differs from the one used to activate.
    later = time.time() + 30
    with time_machine.travel(later, tick=False):
        fresh = Client()
        fresh.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
        assert "_auth_user_id" not in fresh.session  # the password alone is not enough
        wrong = "000000" if totp(secret, at=later) != "000000" else "111111"
        fresh.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert "_auth_user_id" not in fresh.session
        fresh.post("/accounts/2fa/authenticate/", {"code": totp(secret, at=later)})
        assert fresh.session["_auth_user_id"] == str(individual.pk)


def test_profile_saves_name_and_time_zone(client, individual, django_assert_num_queries):
    client.force_login(individual)
    with django_assert_num_queries(2):
        assert client.get("/accounts/profile/").status_code == 200
    response = client.post(
        "/accounts/profile/",
        {"name": "  Maya   Patel-Singh ", "time_zone": "Europe/Lisbon"},
        follow=True,
    )
    assert "Your profile is saved." in response.content.decode()
    individual.refresh_from_db()
    assert (individual.name, individual.time_zone) == ("Maya Patel-Singh", "Europe/Lisbon")


def test_profile_rejects_an_unknown_time_zone_and_keeps_the_old_one(client, individual):
    client.force_login(individual)
    response = client.post("/accounts/profile/", {"name": "Maya", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    individual.refresh_from_db()
    assert individual.time_zone == "UTC"


def test_profile_rejects_a_novel_for_a_name(client, individual):
    client.force_login(individual)
    response = client.post("/accounts/profile/", {"name": "x" * 5000, "time_zone": "UTC"})
    assert "at most 100 characters" in response.content.decode()


def test_profile_needs_log_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_delete_page_warns_and_get_changes_nothing(client, individual):
    client.force_login(individual)
    html = client.get("/accounts/delete/").content.decode()
    assert "This cannot be undone" in html
    assert User.objects.filter(pk=individual.pk).exists()


def test_delete_needs_the_password(client, individual):
    client.force_login(individual)
    response = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
    assert "That is not your current password." in response.content.decode()
    assert User.objects.filter(pk=individual.pk).exists()


def test_delete_needs_the_confirmation_box(client, individual):
    client.force_login(individual)
    client.post("/accounts/delete/", {"password": PASSWORD})
    assert User.objects.filter(pk=individual.pk).exists()


def test_delete_removes_the_person_and_everything_theirs(client, individual, second_individual):
    Authenticator.objects.create(
        user=individual, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    client.force_login(individual)
    response = client.post(
        "/accounts/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True
    )
    assert "is deleted" in response.content.decode()
    assert not User.objects.filter(pk=individual.pk).exists()
    assert not EmailAddress.objects.filter(email="maya@example.com").exists()
    assert not Authenticator.objects.filter(user_id=individual.pk).exists()
    assert "_auth_user_id" not in client.session
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(individual.pk) for s in Session.objects.all()
    )
    # Nobody else is touched.
    assert User.objects.filter(pk=second_individual.pk).exists()


def test_state_changes_need_the_csrf_token(individual):
    client = Client(enforce_csrf_checks=True)
    client.force_login(individual)
    assert (
        client.post("/accounts/profile/", {"name": "Evil", "time_zone": "UTC"}).status_code == 403
    )
    assert (
        client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}).status_code == 403
    )
    individual.refresh_from_db()
    assert individual.name == "Maya Patel"
