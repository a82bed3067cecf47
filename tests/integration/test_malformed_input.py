"""Values no form would send (issue "Hold under attack", item 4): a NUL byte, a
superscript digit, a 30-digit number, a date at the end of the calendar. Each gets a
message at its field or a 404, never a 500, and nothing already saved is lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessments.models import Audit, Comment, Plan
from tests.factories import (
    HTMX,
    audit_at,
    fresh,
    linked,
    make_person,
    ordered,
    plan_form,
    saved_plan,
    scores_form,
    step_url,
)

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.mark.parametrize(
    "path",
    [
        "/benchmarks/%00/",
        "/benchmarks/15-1252.00%00/",
        "/calendar/%00.ics",
        "/check-in/%00/",
        "/check-ins/stop/%00/",
        "/coach/invitation/%00/",
        "/benchmarks/?q=%00",
        "/audit/occupations/?q=%00",
    ],
)
def test_a_nul_byte_in_an_address_is_not_found_or_ignored(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), response.status_code


def test_a_nul_byte_in_the_occupation_field_is_a_message_on_find_and_on_save(client):
    client.post(reverse("assessments:start"))
    audit = Audit.objects.latest("created_at")
    found = client.post(
        step_url(audit, "role"),
        {"version": audit.version, "action": "find", "q": f"nurse{NUL}", "occupation": NUL},
    )
    assert found.status_code == 200
    saved = client.post(
        step_url(audit, "role"),
        {"version": audit.version, "job_title": f"Nurse{NUL}", "occupation": NUL},
    )
    assert saved.status_code == 200
    assert b"invisible control character" in saved.content or b"Choose an occupation" in (
        saved.content
    )
    assert fresh(audit).job_title == ""


def test_a_superscript_digit_as_a_task_link_counts_as_typed(maya, individual):
    client = maya
    audit = audit_at(individual, "activities")
    response = client.post(
        step_url(audit, "activities"),
        {
            "version": audit.version,
            **{f"activity_{i}": f"Activity number {i}" for i in range(1, 6)},
            "task_1": "²",
        },
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("score", ["²", "1" * 30, NUL, "-1"])
def test_an_unreadable_score_is_a_message_at_the_score(maya, individual, score):
    client = maya
    audit = audit_at(individual, "scores")
    response = client.post(step_url(audit, "scores"), scores_form(audit, [score, 2, 3, 4, 5]))
    assert response.status_code == 200
    assert b"Choose a score from 1 to 5." in response.content
    assert [a.score for a in ordered(audit)] == [None] * 5


@pytest.mark.parametrize("share", ["²", "1" * 30, NUL, "33.3%"])
def test_an_unreadable_share_is_a_message_at_the_share(maya, individual, share):
    client = maya
    audit = audit_at(individual, "time")
    data = {"version": audit.version}
    for activity, value in zip(ordered(audit), [share, 20, 20, 20, 20], strict=True):
        data[f"share_{activity.pk}"] = value
    response = client.post(step_url(audit, "time"), data)
    assert response.status_code == 200
    preview = client.post(step_url(audit, "time"), data, headers=HTMX)
    assert preview.status_code == 200


@pytest.fixture
def planner(client: Client, individual: User) -> tuple[Client, Audit]:
    client.force_login(individual)
    return client, audit_at(individual, "complete")


@pytest.mark.parametrize("score", ["²", "1" * 30, "9", NUL])
def test_an_unreadable_new_activity_score_is_a_message_and_the_preview_holds(planner, score):
    client, audit = planner
    url = reverse("assessments:plan", args=[audit.code])
    data = plan_form(new=(("Precepting new nurses", score, 20),))
    assert client.post(url, data, headers=HTMX).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Plan.objects.filter(audit=audit).exists()


@pytest.mark.parametrize("start", ["9999-12-31", "9995-01-02", "0001-01-01", "1900-01-01"])
def test_a_sprint_start_far_from_today_is_refused_at_the_field(planner, start):
    client, audit = planner
    url = reverse("assessments:plan", args=[audit.code])
    response = client.post(url, plan_form(sprint_start=start))
    assert response.status_code == 200
    assert b"Start the sprint within a year of today" in response.content
    assert not Plan.objects.filter(audit=audit).exists()


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("start", [date(9995, 1, 2), date(1, 1, 1)])
def test_a_sprint_saved_at_the_edge_of_the_calendar_still_has_a_feed(
    client, individual, start, zone
):
    """Saved before the form bounded the date: its pages and feed still answer."""
    individual.time_zone = zone
    individual.save()
    audit = audit_at(individual, "complete")
    plan = saved_plan(audit, sprint_start=start)
    feed = client.get(reverse("assessments:calendar_feed", args=[plan.calendar_token]))
    assert feed.status_code == 200
    client.force_login(individual)
    assert client.get(reverse("assessments:sprint", args=[plan.code])).status_code == 200
    download = reverse("assessments:calendar_download", args=[plan.code])
    assert client.get(download).status_code == 200


def test_a_nul_byte_in_a_reply_to_the_coach_is_a_message_and_keeps_the_text(client, individual):
    coach = make_person("grace@example.com", "Grace Lindqvist")
    linked(coach, individual)
    audit = audit_at(individual, "complete")
    client.force_login(individual)
    response = client.post(
        reverse("coach:reply", args=[audit.code]), {"body": f"Thanks, I will{NUL} try"}
    )
    assert response.status_code == 400
    assert b"invisible control character" in response.content
    assert b"Thanks, I will try</textarea>" in response.content
    assert not Comment.objects.exists()
