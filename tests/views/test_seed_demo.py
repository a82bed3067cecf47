from io import StringIO

from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import User
from assessments.demo import CAST, DEMO_PASSWORD


def test_seed_demo_creates_the_documented_logins_and_is_idempotent(db, client):
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert first.getvalue().count("created") == 4
    assert second.getvalue().count("refreshed") == 4
    assert DEMO_PASSWORD in second.getvalue()
    assert User.objects.count() == len(CAST) == 4
    assert EmailAddress.objects.filter(verified=True).count() == 4
    client.post("/accounts/login/", {"login": "maya@demo.ladder", "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="maya@demo.ladder").pk)
