"""A person's audits after the wizard (issue 4): read-only results, "My ladder", deleting
an audit, the JSON export, starting without an account, and purging unclaimed audits."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.access import SESSION_KEY
from assessments.audits import services
from assessments.models import Activity, Audit, RungSnapshot
from assessments.tasks import purge_unclaimed_audits
from assessments.templatetags.ladder import rung
from tests.factories import (
    DESCRIPTIONS,
    OTHER_DESCRIPTIONS,
    PASSWORD,
    activities_form,
    audit_at,
    fresh,
    links_in,
    make_person,
    saved,
    scores_form,
    step_url,
    time_form,
    url,
)

pytestmark = pytest.mark.django_db


def walk_through(client: Client, scores: list[int] | None = None) -> Audit:
    """Complete a whole audit through the pages, as a person in a browser would."""
    started = client.post(reverse("assessments:start"))
    assert started.status_code == 302
    code = started["Location"].split("/")[2]
    audit = Audit.objects.get(code=code)
    assert (
        client.post(
            step_url(audit, "role"),
            {
                "version": audit.version,
                "job_title": "Backend developer",
                "occupation": "15-1252.00",
            },
        ).status_code
        == 302
    )
    listed = client.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, DESCRIPTIONS[:5])
    )
    assert listed.status_code == 302
    timed = client.post(step_url(audit, "time"), time_form(fresh(audit), [40, 30, 10, 10, 10]))
    assert timed.status_code == 302
    scored = client.post(
        step_url(audit, "scores"), scores_form(fresh(audit), scores or [1, 1, 4, 5, 3])
    )
    assert scored["Location"] == url(audit, "result")
    return fresh(audit)


def stat(html: str, label: str) -> str:
    match = re.search(
        rf'<span class="stat-label">{label}</span><span class="stat-value[^"]*">([^<]*)</span>',
        html,
    )
    assert match, f"no {label!r} stat on the page"
    return match.group(1)


# --- Completed audits are read-only ---------------------------------------------------------


@pytest.mark.parametrize("step", ["role", "activities", "time", "scores"])
def test_opening_a_step_of_a_completed_audit_goes_to_its_result(maya, individual, step):
    audit = audit_at(individual, "complete")
    response = maya.get(step_url(audit, step))
    assert response.status_code == 302
    assert response["Location"] == url(audit, "result")


@pytest.mark.parametrize("step", ["role", "activities", "time", "scores"])
def test_posting_to_a_completed_audit_changes_nothing(maya, individual, step):
    audit = audit_at(individual, "complete")
    snapshot = RungSnapshot.objects.get(audit=audit)
    before = (saved(audit), audit.job_title, audit.version, audit.status)
    data = {
        "role": {"version": audit.version, "job_title": "Rewritten title"},
        "activities": activities_form(audit.version, OTHER_DESCRIPTIONS),
        "time": time_form(audit, [96, 1, 1, 1, 1]),
        "scores": scores_form(audit, [5, 5, 5, 5, 5]),
    }[step]
    response = maya.post(step_url(audit, step), data)
    assert response.status_code == 302
    assert response["Location"] == url(audit, "result")
    after = fresh(audit)
    assert (saved(audit), after.job_title, after.version, after.status) == before
    assert list(RungSnapshot.objects.filter(audit=audit)) == [snapshot]
    assert RungSnapshot.objects.get(audit=audit).rung == snapshot.rung


def test_completing_an_already_completed_audit_returns_the_same_snapshot(individual):
    audit = audit_at(individual, "complete")
    first = RungSnapshot.objects.get(audit=audit)
    again = services.audit_complete(audit=audit)
    assert again.pk == first.pk
    assert RungSnapshot.objects.filter(audit=audit).count() == 1


# --- My ladder ---------------------------------------------------------------------------


def test_my_ladder_for_a_new_person_shows_the_empty_state(maya):
    response = maya.get(reverse("assessments:my_ladder"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No audits yet" in html
    assert "Start my first audit" in html
    assert "Continue where you left off" not in html
    assert "Latest rung" not in html


def test_my_ladder_lists_drafts_to_continue_and_completed_audits_with_the_latest_rung(
    maya, individual
):
    older = audit_at(individual, "complete", scores=[1, 1, 1, 1, 1], job_title="Developer 2025")
    newer = audit_at(individual, "complete", scores=[2, 3, 3, 3, 3], job_title="Developer 2026")
    draft = audit_at(individual, "time", job_title="Half-done audit")
    now = timezone.now()
    Audit.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=90))
    Audit.objects.filter(pk=newer.pk).update(created_at=now - timedelta(days=1))

    html = maya.get(reverse("assessments:my_ladder")).content.decode()
    assert "Continue where you left off" in html
    assert f'href="{step_url(draft, "time")}">Half-done audit</a>' in html
    assert f'href="{url(older, "result")}">Developer 2025</a>' in html
    assert f'href="{url(newer, "result")}">Developer 2026</a>' in html
    assert html.index("Developer 2026") < html.index("Developer 2025")
    assert stat(html, "Latest rung") == "2.8"
    assert stat(html, "Runway") == RungSnapshot.objects.get(audit=newer).runway_text
    assert "No audits yet" not in html


def test_my_ladder_shows_only_my_own_audits(maya, individual, second_individual):
    audit_at(second_individual, "complete", job_title="Tom's secret audit")
    audit_at(second_individual, "time", job_title="Tom's secret draft")
    html = maya.get(reverse("assessments:my_ladder")).content.decode()
    assert "secret" not in html
    assert "No audits yet" in html


def test_my_ladder_needs_log_in(client):
    response = client.get(reverse("assessments:my_ladder"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [1, 5])
def test_my_ladder_query_count_does_not_grow_with_audits(
    maya, individual, django_assert_num_queries, count
):
    for _ in range(count):
        audit_at(individual, "complete")
        audit_at(individual, "scores")
    with django_assert_num_queries(3):
        response = maya.get(reverse("assessments:my_ladder"))
    assert response.status_code == 200
    assert response.content.decode().count("/result/") >= count


# --- Deleting an audit ------------------------------------------------------------------------


def test_delete_asks_for_confirmation_and_get_deletes_nothing(maya, individual):
    audit = audit_at(individual, "complete")
    response = maya.get(url(audit, "delete"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete this audit?" in html
    assert f'action="{url(audit, "delete")}"' in html
    assert Audit.objects.filter(pk=audit.pk).exists()
    assert Activity.objects.filter(audit=audit).count() == 5
    assert RungSnapshot.objects.filter(audit=audit).exists()


def test_delete_removes_the_audit_its_activities_and_its_snapshot(maya, individual):
    audit = audit_at(individual, "complete")
    kept = audit_at(individual, "complete")
    response = maya.post(url(audit, "delete"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:my_ladder")
    assert not Audit.objects.filter(pk=audit.pk).exists()
    assert not Activity.objects.filter(audit_id=audit.pk).exists()
    assert not RungSnapshot.objects.filter(audit_id=audit.pk).exists()
    assert Audit.objects.filter(pk=kept.pk).exists()
    assert Activity.objects.filter(audit=kept).count() == 5
    assert RungSnapshot.objects.filter(audit=kept).exists()
    assert "is deleted" in maya.get(response["Location"]).content.decode()


def test_delete_works_for_a_draft(maya, individual):
    audit = audit_at(individual, "time")
    assert maya.post(url(audit, "delete")).status_code == 302
    assert not Audit.objects.filter(pk=audit.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_owner_can_delete_an_audit(client, individual, second_individual, method):
    audit = audit_at(individual, "complete")
    client.force_login(second_individual)
    response = getattr(client, method)(url(audit, "delete"))
    assert response.status_code == 404
    assert Audit.objects.filter(pk=audit.pk).exists()
    assert RungSnapshot.objects.filter(audit=audit).exists()


# --- The JSON export --------------------------------------------------------------------------


def test_export_has_my_audits_with_activities_and_snapshots(maya, individual):
    complete = audit_at(individual, "complete", scores=[1, 2, 3, 4, 5])
    draft = audit_at(individual, "time", job_title="Draft in progress")
    response = maya.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert re.fullmatch(
        r'attachment; filename="ladder-data-\d{4}-\d{2}-\d{2}\.json"',
        response["Content-Disposition"],
    )
    data = json.loads(response.content)
    assert data["profile"]["email"] == "maya@example.com"
    audits = {a["code"]: a for a in data["audits"]}
    assert set(audits) == {str(complete.code), str(draft.code)}

    done = audits[str(complete.code)]
    assert done["status"] == "complete"
    assert [(a["description"], a["share"], a["score"]) for a in done["activities"]] == [
        (d, 20, s) for d, s in zip(DESCRIPTIONS[:5], [1, 2, 3, 4, 5], strict=True)
    ]
    snapshot = done["snapshot"]
    assert Decimal(snapshot["rung"]) == Decimal("3.00")
    assert snapshot["low_rung_share"] == 40
    assert snapshot["high_rung_share"] == 40
    assert snapshot["runway"]["text"] == RungSnapshot.objects.get(audit=complete).runway_text
    assert snapshot["rubric_version"]
    assert len(snapshot["activities"]) == 5

    in_progress = audits[str(draft.code)]
    assert in_progress["status"] == "draft"
    assert in_progress["snapshot"] is None
    assert [a["description"] for a in in_progress["activities"]] == DESCRIPTIONS[:5]


def test_export_leaves_out_other_peoples_data(maya, individual, second_individual):
    audit_at(individual, "complete")
    theirs = audit_at(
        second_individual, "complete", descriptions=OTHER_DESCRIPTIONS, job_title="Tom's role"
    )
    content = maya.get(reverse("accounts:export")).content.decode()
    assert str(theirs.code) not in content
    assert "Tom's role" not in content
    assert "tom@example.com" not in content
    for text in OTHER_DESCRIPTIONS:
        assert text not in content


def test_export_needs_log_in(client):
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Starting without an account ---------------------------------------------------------------


def test_a_visitor_completes_an_audit_and_keeps_it_by_signing_up(client):
    audit = walk_through(client)
    assert audit.owner is None
    result = client.get(url(audit, "result")).content.decode()
    assert "Keep this result" in result
    assert "Your rung is 1.9" in result

    signed_up = client.post(
        "/accounts/signup/",
        {"email": "new.visitor@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signed_up.status_code == 302
    person = User.objects.get(email="new.visitor@example.com")
    # Until the address is confirmed the account can't log in, so the result stays the
    # visitor's: still reachable in this browser.
    assert fresh(audit).owner is None
    assert client.get(url(audit, "result")).status_code == 200
    confirm = next(u for u in links_in(mail.outbox[-1].body) if "/confirm-email/" in u)
    client.post(confirm.split("testserver", 1)[1])
    client.post("/accounts/login/", {"login": "new.visitor@example.com", "password": PASSWORD})
    assert fresh(audit).owner is None  # nothing is added to an account silently
    assert (
        "Results made in this browser before you logged in"
        in client.get(reverse("assessments:my_ladder")).content.decode()
    )
    client.post(reverse("assessments:claim"))
    audit = fresh(audit)
    assert audit.owner == person
    assert audit.anonymous_key == ""
    assert RungSnapshot.objects.get(audit=audit).owner == person

    # Once they log in, it's on their ladder.
    later = Client()
    later.force_login(person)
    html = later.get(reverse("assessments:my_ladder")).content.decode()
    assert stat(html, "Latest rung") == "1.9"
    assert "Keep this result" not in later.get(url(audit, "result")).content.decode()


def test_a_visitor_keeps_their_audit_by_logging_in(client, individual):
    audit = walk_through(client)
    logged_in = client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert logged_in.status_code == 302
    assert fresh(audit).owner is None
    client.post(reverse("assessments:claim"))
    assert client.session["_auth_user_id"] == str(individual.pk)
    audit = fresh(audit)
    assert audit.owner == individual
    assert audit.anonymous_key == ""
    assert RungSnapshot.objects.get(audit=audit).owner == individual
    result = client.get(url(audit, "result")).content.decode()
    assert "Keep this result" not in result
    assert "Go to my ladder" in result


def test_a_visitors_unfinished_draft_is_kept_too(client, individual):
    started = client.post(reverse("assessments:start"))
    draft = Audit.objects.get(code=started["Location"].split("/")[2])
    client.post(
        step_url(draft, "role"), {"version": draft.version, "job_title": "Half-way visitor"}
    )
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    client.post(reverse("assessments:claim"))
    assert fresh(draft).owner == individual
    html = client.get(reverse("assessments:my_ladder")).content.decode()
    assert "Continue where you left off" in html
    assert "Half-way visitor" in html


def test_another_browser_cannot_see_a_visitors_audit(client):
    audit = walk_through(client)
    other = Client()
    assert other.get(url(audit, "result")).status_code == 404
    assert other.get(step_url(audit, "role")).status_code == 404
    assert other.get(url(audit, "delete")).status_code == 404
    assert other.post(url(audit, "delete")).status_code == 404
    assert Audit.objects.filter(pk=audit.pk).exists()


def test_signing_up_claims_only_this_browsers_audits(client):
    someone_else = walk_through(Client())
    mine = walk_through(client)
    client.post(
        "/accounts/signup/",
        {"email": "new.visitor@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    confirm = next(u for u in links_in(mail.outbox[-1].body) if "/confirm-email/" in u)
    client.post(confirm.split("testserver", 1)[1])
    client.post("/accounts/login/", {"login": "new.visitor@example.com", "password": PASSWORD})
    client.post(reverse("assessments:claim"))
    assert fresh(mine).owner is not None
    assert fresh(someone_else).owner is None
    assert RungSnapshot.objects.get(audit=someone_else).owner is None


def test_logging_in_does_not_claim_another_persons_audits(client, individual, second_individual):
    theirs = audit_at(second_individual, "complete")
    walk_through(client)
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert fresh(theirs).owner == second_individual


def test_a_visitor_can_delete_their_own_audit(client):
    audit = walk_through(client)
    response = client.post(url(audit, "delete"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Audit.objects.filter(pk=audit.pk).exists()


def test_a_visitors_key_lives_in_their_session_only(client):
    audit = walk_through(client)
    assert client.session[SESSION_KEY] == audit.anonymous_key
    assert len(audit.anonymous_key) >= 32


# --- Purging unclaimed audits -------------------------------------------------------------------


@pytest.fixture
def aged_audits(individual):
    """Visitors' audits on both sides of the 30 days, and an old one of Maya's."""
    now = timezone.now()
    audits = {
        "old draft": audit_at(None, "time", anonymous_key="visitor-a"),
        "old result": audit_at(None, "complete", anonymous_key="visitor-b"),
        "recent draft": audit_at(None, "time", anonymous_key="visitor-c"),
        "owned": audit_at(individual, "complete"),
    }
    ages = {"old draft": 31, "old result": 45, "recent draft": 29, "owned": 400}
    for name, days in ages.items():
        Audit.objects.filter(pk=audits[name].pk).update(updated_at=now - timedelta(days=days))
    return audits


def _purged_as_expected(audits: dict[str, Audit]) -> None:
    assert not Audit.objects.filter(pk=audits["old draft"].pk).exists()
    assert not Audit.objects.filter(pk=audits["old result"].pk).exists()
    assert not Activity.objects.filter(audit_id=audits["old draft"].pk).exists()
    assert not RungSnapshot.objects.filter(audit_id=audits["old result"].pk).exists()
    assert Audit.objects.filter(pk=audits["recent draft"].pk).exists()
    assert Activity.objects.filter(audit=audits["recent draft"]).count() == 5
    assert Audit.objects.filter(pk=audits["owned"].pk).exists()
    assert RungSnapshot.objects.filter(audit=audits["owned"]).exists()


def test_purge_unclaimed_command_deletes_visitors_audits_older_than_30_days(aged_audits, capsys):
    call_command("purge_unclaimed")
    assert "2 unclaimed audits deleted." in capsys.readouterr().out
    _purged_as_expected(aged_audits)


def test_purge_unclaimed_task_does_the_same(aged_audits):
    assert purge_unclaimed_audits.run() == 2
    _purged_as_expected(aged_audits)


def test_purge_unclaimed_twice_deletes_nothing_more(aged_audits):
    purge_unclaimed_audits.run()
    assert purge_unclaimed_audits.run() == 0
    assert Audit.objects.count() == 2


def test_a_visitor_who_comes_back_within_30_days_keeps_their_draft(client):
    audit = walk_through(client)
    Audit.objects.filter(pk=audit.pk).update(updated_at=timezone.now() - timedelta(days=29))
    purge_unclaimed_audits.run()
    assert client.get(url(audit, "result")).status_code == 200


def test_a_persons_audits_survive_purge_whatever_their_age(individual):
    person = make_person("old.timer@example.com")
    audit = audit_at(person, "time")
    Audit.objects.filter(pk=audit.pk).update(updated_at=timezone.now() - timedelta(days=3650))
    purge_unclaimed_audits.run()
    assert Audit.objects.filter(pk=audit.pk).exists()


def test_an_old_result_shows_the_frontier_of_its_day(maya, individual):
    audit = audit_at(individual, "complete")
    snapshot = RungSnapshot.objects.get(audit=audit)
    # 20 days on (inside the 30-day session), the frontier has moved; the result
    # still shows where it stood when the result was taken.
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        html = maya.get(url(audit, "result")).content.decode()
    taken = timezone.localdate(snapshot.taken_at)
    assert f"AI frontier on {taken:%-d %b %Y}: about rung {rung(snapshot.frontier)}" in html
    assert "AI frontier today" not in html


def test_the_next_person_on_a_shared_browser_can_refuse_a_visitors_results(client, individual):
    audit = walk_through(client)  # a visitor, then they leave the browser as it is
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert fresh(audit).owner is None
    response = client.post(reverse("assessments:discard"), follow=True)
    assert "Those results are deleted" in response.content.decode()
    assert not Audit.objects.filter(pk=audit.pk).exists()
    assert not Audit.objects.filter(owner=individual).exists()


def test_keeping_and_refusing_need_a_post(maya):
    assert maya.get(reverse("assessments:claim")).status_code == 405
    assert maya.get(reverse("assessments:discard")).status_code == 405
