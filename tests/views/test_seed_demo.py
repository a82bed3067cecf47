from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import User
from assessments.demo import CAST, DEMO_PASSWORD


def test_seed_demo_creates_the_documented_logins_and_is_idempotent(db, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert User.objects.count() == len(CAST) == 4
    assert EmailAddress.objects.filter(verified=True).count() == 4
    client.post("/accounts/login/", {"login": "maya@demo.ladder", "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="maya@demo.ladder").pk)
