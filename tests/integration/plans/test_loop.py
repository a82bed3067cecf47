"""After each step of the loop the next one is obvious (issue "The loop that closes",
item 5): My ladder's main action follows the person's state, and the next plan starts
from the last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from assessments.audits import services
from assessments.models import Audit
from tests.factories import EVENTS, audit_at, saved_plan

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, tzinfo=UTC)  # the first audit; sprints start that day
REASSESS = "Do this quarter's check-in"


def ladder_page(client, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        return str(client.get(reverse("assessments:my_ladder")).content.decode())


@pytest.fixture
def first_result(individual):
    with time_machine.travel(START, tick=False):
        return audit_at(individual, "complete")


def test_a_first_result_leads_to_planning_not_to_a_check_in(maya, first_result):
    page = ladder_page(maya, START + timedelta(minutes=5))
    assert "Next: plan your next rung" in page
    assert reverse("assessments:plan", args=[first_result.code]) in page
    assert REASSESS not in page  # minutes after a first audit, a check-in is not the step


def test_a_running_sprint_leads_to_the_sprint(maya, first_result):
    plan = saved_plan(first_result)
    page = ladder_page(maya, START + timedelta(days=30))
    assert "Next: your sprint" in page
    assert "60 days left in your 90-day sprint toward rung 4" in page
    assert reverse("assessments:sprint", args=[plan.code]) in page
    assert REASSESS not in page


def test_a_check_in_due_within_a_week_leads_to_the_check_in(maya, first_result):
    saved_plan(first_result)
    first_result.owner.refresh_from_db()
    due = first_result.owner.next_checkin_at
    assert due is not None
    assert REASSESS not in ladder_page(maya, due - timedelta(days=8))
    page = ladder_page(maya, due - timedelta(days=6))
    assert "Next: this quarter's check-in" in page
    assert REASSESS in page


def test_a_finished_sprint_leads_to_the_check_in(maya, individual, first_result):
    saved_plan(first_result)
    individual.checkins_paused = True  # no email coming: the sprint's end still says so
    individual.save()
    page = ladder_page(maya, START + timedelta(days=95))
    assert "Your sprint ended on 31 May 2026" in page
    assert REASSESS in page


def test_after_a_check_in_the_next_sprint_is_planned_from_the_last_plan(
    maya, individual, first_result
):
    saved_plan(first_result, events=3)
    first = first_result.plan
    first.proxy = "Priya, staff engineer"
    first.save()
    draft = _reassessed(individual, first_result, at=START + timedelta(days=91))
    assert not draft.is_draft
    page = ladder_page(maya, START + timedelta(days=91, hours=1))
    assert "Next: plan your next sprint" in page
    assert reverse("assessments:plan", args=[draft.code]) in page
    with time_machine.travel(START + timedelta(days=91, hours=1), tick=False):
        plan_page = maya.get(reverse("assessments:plan", args=[draft.code])).content.decode()
    assert "This plan starts from your last one" in plan_page
    assert first.next_role in plan_page
    assert 'value="Priya, staff engineer"' in plan_page
    for title, *_ in EVENTS:
        assert f'value="{title}"' in plan_page
    assert 'name="sprint_start" value="2026-06-01"' in plan_page  # today, not the old start


def _reassessed(individual, first_result, *, at: datetime, ai_sources: str = "") -> Audit:
    with time_machine.travel(at, tick=False):
        draft = services.reassessment_start(owner=individual, previous=first_result)
        activities = list(draft.activities.order_by("position"))
        services.audit_save_scores(
            audit=draft,
            expected_version=draft.version,
            scores={a.pk: (a.score or 1, None) for a in activities},
            ai_sources=ai_sources,
        )
    return Audit.objects.select_related("snapshot").get(pk=draft.pk)


def test_a_flat_quarter_says_so_plainly(maya, individual, first_result):
    """The same week a quarter later, while the frontier rose: the method's named risk."""
    again = _reassessed(individual, first_result, at=START + timedelta(days=180))
    assert again.snapshot.frontier > first_result.snapshot.frontier  # the frontier rose
    with time_machine.travel(START + timedelta(days=180, hours=1), tick=False):
        page = maya.get(reverse("assessments:result", args=[again.code])).content.decode()
    assert "A flat quarter." in page
    assert "complacency" in page
    assert reverse("assessments:plan", args=[again.code]) in page


def test_the_check_in_shows_back_where_the_person_follows_ai(maya, individual, first_result):
    none_yet = services.reassessment_start(owner=individual, previous=first_result)
    page = maya.get(reverse("assessments:step_scores", args=[none_yet.code])).content.decode()
    assert "Nothing yet? Three places to start" in page
    assert "Anthropic Economic Index" in page
    services.audit_delete(audit=none_yet)
    later = _reassessed(
        individual, first_result, at=START + timedelta(days=91), ai_sources="Import AI newsletter"
    )
    next_one = services.reassessment_start(owner=individual, previous=later)
    page = maya.get(reverse("assessments:step_scores", args=[next_one.code])).content.decode()
    assert "Import AI newsletter</textarea>" in page
    assert "Last quarter's answer is filled in" in page
    assert "Nothing yet?" not in page
