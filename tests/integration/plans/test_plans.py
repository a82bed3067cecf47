"""The plan for the next rung, its 90-day sprint, calendar and report (issue 5): who
may see what, the 20-point rule and the other messages a person gets, calendar UIDs
that stay put, a calendar that two parsers read the same way, hostile text, and
query counts that don't grow with the plan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from typing import Any

import icalendar
import pytest
import time_machine
import vobject
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessments.audits import services
from assessments.models import Audit, Plan, PlanEvent, PlannedActivity, TaskStatement
from ladder.method import planning
from tests.factories import (
    DESCRIPTIONS,
    EVENTS,
    HTMX,
    NEW_ACTIVITY,
    SOFTWARE_DEVELOPERS,
    audit_at,
    plan_form,
    saved_plan,
)

SPRINT_END = date(2026, 5, 31)  # 90 days on
SCRIPT = '<script>alert("ladder")</script>'


# --- Helpers ------------------------------------------------------------------------


def completed(owner: User, rows: Sequence[tuple[int, int]]) -> Audit:
    """A completed audit whose activities have these (share, score) rows, in order."""
    audit = audit_at(owner, "time", len(rows))
    activities = list(audit.activities.order_by("position"))
    services.audit_save_shares(
        audit=audit,
        expected_version=audit.version,
        shares={a.pk: share for a, (share, _) in zip(activities, rows, strict=True)},
    )
    services.audit_save_scores(
        audit=audit,
        expected_version=audit.version,
        scores={a.pk: (score, None) for a, (_, score) in zip(activities, rows, strict=True)},
    )
    audit.refresh_from_db()
    return audit


def moving(points: int) -> list[int]:
    """Planned shares for the default audit (five activities of 20%, scored 1 to 5,
    rung 3.0) that move ``points`` from the three activities at or below rung 3,
    none of them cut by more than half."""
    first = min(10, points)
    second = min(10, points - first)
    return [20 - first, 20 - second, 20 - (points - first - second), 20, 20]


def url(name: str, code: object) -> str:
    return reverse(f"assessments:{name}", args=[code])


def plan_url(audit: Audit) -> str:
    return url("plan", audit.code)


def feed_url(plan: Plan) -> str:
    return reverse("assessments:calendar_feed", args=[plan.calendar_token])


def text_of(response: Any) -> str:
    return unescape(response.content.decode())


def vevents(ics: bytes) -> dict[str, icalendar.Component]:
    """The calendar's events by UID, parsed with icalendar."""
    calendar = icalendar.Calendar.from_ical(ics)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(event: PlanEvent) -> str:
    return f"{event.uid}@ladder"


# --- Who may plan, and when ------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, individual):
    audit = audit_at(individual, "complete")
    plan = saved_plan(audit)
    login = reverse("account_login")
    for page in [
        plan_url(audit),
        url("sprint", plan.code),
        url("calendar_download", plan.code),
        url("report", plan.code),
    ]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{login}?next="), page
    assert client.post(plan_url(audit), plan_form())["Location"].startswith(login)
    assert client.post(url("calendar_revoke", plan.code))["Location"].startswith(login)
    assert Plan.objects.get().calendar_token == plan.calendar_token


@pytest.mark.parametrize("step", ["role", "activities", "time", "scores"])
def test_a_draft_audit_sends_the_plan_page_to_its_step_and_saves_nothing(maya, individual, step):
    audit = audit_at(individual, step)
    step_url = url(f"step_{step}", audit.code)
    assert maya.get(plan_url(audit))["Location"] == step_url
    assert maya.post(plan_url(audit), plan_form())["Location"] == step_url
    assert not Plan.objects.exists()


def test_another_persons_audit_and_plan_are_404_everywhere(maya, second_individual):
    audit = audit_at(second_individual, "complete")
    plan = saved_plan(audit)
    assert maya.get(plan_url(audit)).status_code == 404
    assert maya.post(plan_url(audit), plan_form(planned=moving(30))).status_code == 404
    assert maya.post(plan_url(audit), plan_form(preview="1"), headers=HTMX).status_code == 404
    for name in ["sprint", "calendar_download", "report"]:
        assert maya.get(url(name, plan.code)).status_code == 404, name
    assert maya.post(url("calendar_revoke", plan.code)).status_code == 404
    # The audit's code is not the plan's code, and the other way round.
    assert maya.get(url("sprint", audit.code)).status_code == 404
    unchanged = Plan.objects.get()
    assert unchanged.moved_effort == plan.moved_effort
    assert unchanged.calendar_token == plan.calendar_token


# --- The next rung -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "shown", "target"),
    [
        # Maya's week from DESIGN §1: 1.97 shows as 2.0, so the next rung is 3.
        ([(30, 1), (25, 2), (15, 1), (10, 3), (8, 3), (7, 4), (5, 4)], "2.0", 3),
        ([(24, 3), (24, 3), (23, 3), (23, 3), (6, 2)], "2.9", 3),  # 2.94
        ([(24, 3), (24, 3), (23, 3), (24, 3), (5, 2)], "3.0", 4),  # 2.95, rounded half up
        ([(20, 1), (20, 2), (20, 3), (20, 4), (20, 5)], "3.0", 4),
        ([(24, 5), (24, 5), (24, 5), (24, 5), (4, 4)], "5.0", 5),  # 4.96: never above 5
    ],
)
def test_the_target_is_the_next_whole_rung_above_the_one_shown(
    maya, individual, rows, shown, target
):
    audit = completed(individual, rows)
    html = text_of(maya.get(plan_url(audit)))
    assert f"rung {shown} today" in html
    assert f"<h1>Your next rung: {target}</h1>" in html


def test_the_plan_page_shows_the_colleague_tip_examples_and_higher_suggestions(maya, individual):
    audit = audit_at(individual, "complete")  # a software developer at rung 3.0
    html = text_of(maya.get(plan_url(audit)))
    assert "look at colleagues one level up" in html
    assert 'name="proxy"' in html
    assert 'name="proxy_week"' in html
    assert "Owning product strategy with the business" in html  # the developer's story
    related = TaskStatement.objects.filter(
        occupation__code__startswith="15", suggested_score__gt=3
    ).exclude(occupation__code=SOFTWARE_DEVELOPERS)
    assert any(task.text in html for task in related)
    own_higher = TaskStatement.objects.filter(
        occupation__code=SOFTWARE_DEVELOPERS, suggested_score__gt=3
    )
    assert own_higher.exists()  # what the next test expects to see
    lower = TaskStatement.objects.filter(
        occupation__code=SOFTWARE_DEVELOPERS, suggested_score__lte=3
    )
    assert lower.exists()
    assert not any(task.text in html for task in lower)


def test_the_best_task_of_the_persons_own_occupation_is_among_the_suggestions(maya, individual):
    audit = audit_at(individual, "complete")
    best = TaskStatement.objects.filter(occupation__code=SOFTWARE_DEVELOPERS).first()
    assert best is not None
    assert best.text in text_of(maya.get(plan_url(audit)))


def test_the_sprint_starts_today_unless_the_person_says_otherwise(maya, individual):
    audit = audit_at(individual, "complete")
    with time_machine.travel(datetime(2026, 7, 14, 10, tzinfo=UTC), tick=False):
        html = maya.get(plan_url(audit)).content.decode()
    assert 'name="sprint_start" value="2026-07-14"' in html


# --- The shift: the 20-point rule and the other messages ------------------------------------


@pytest.mark.parametrize("points", [19, 20, 21])
def test_a_plan_is_saved_only_when_it_moves_at_least_20_points(maya, individual, points):
    audit = audit_at(individual, "complete")
    response = maya.post(plan_url(audit), plan_form(moving(points), [(NEW_ACTIVITY, 5, points)]))
    if points < 20:
        assert response.status_code == 200
        html = text_of(response)
        assert "This plan moves 19 points of your week upward" in html
        assert "Give 1 more point to activities scored 4 or higher" in html
        assert not Plan.objects.exists()
        return
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("sprint", plan.code)
    assert plan.moved_effort == points
    assert plan.target_rung == 4
    assert plan.audit == audit
    assert plan.owner == individual
    assert plan.sprint_start == date(2026, 3, 2)
    assert plan.sprint_end == SPRINT_END
    # 3.0 + points × (5 − 1..3) / 100, exactly as the audit's formula gives it.
    expected = planning.projected_rung(
        [
            planning.PlannedShare(f"a{i}", score, 20, share)
            for i, (score, share) in enumerate(zip([1, 2, 3, 4, 5], moving(points), strict=True))
        ]
        + [planning.PlannedShare("new", 5, 0, points)]
    )
    assert plan.projected_rung == expected > 3
    assert list(plan.activities.values_list("description", "current_share", "planned_share")) == [
        *zip(DESCRIPTIONS[:5], [20] * 5, moving(points), strict=True),
        (NEW_ACTIVITY, 0, points),
    ]


MAYAS_WEEK = [(30, 1), (25, 2), (15, 1), (10, 3), (8, 3), (7, 4), (5, 4)]  # rung 1.97


def test_the_next_rung_is_the_one_above_the_rung_the_person_sees(maya, individual):
    audit = completed(individual, MAYAS_WEEK)  # 1.97, shown as 2.0: the next rung is 3
    page = text_of(maya.get(plan_url(audit)))
    assert "activities scored 3 or more, current or new" in page
    # 20 points go to a new activity scored 3: at the next rung in the person's eyes.
    planned = [22, 13, 15, 10, 8, 7, 5]
    response = maya.post(plan_url(audit), plan_form(planned, [(NEW_ACTIVITY, 3, 20)]))
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.moved_effort == 20
    assert plan.moved_effort_version == planning.MOVED_EFFORT_VERSION


NURSES_WEEK = [(30, 2), (25, 2), (15, 3), (15, 4), (15, 4)]  # rung 2.75, shown 2.8
NURSES_SHIFT = [22, 17, 11, 22, 15]  # less charting and rounds, more patient teaching


def test_the_nurses_realistic_shift_counts_wherever_the_points_come_from(maya, individual):
    """Charting and medication rounds give 16 points, a rung-3 assessment round 4: all
    20 go to patient teaching and to precepting new nurses (both scored 4)."""
    audit = completed(individual, NURSES_WEEK)
    data = plan_form(NURSES_SHIFT, [("Precepting new nurses", 4, 13)])
    preview = text_of(maya.post(plan_url(audit), {**data, "preview": "1"}, headers=HTMX))
    assert "moved effort: <strong>20 points</strong>" in preview
    assert "projected rung: <strong>3.1</strong>" in preview
    response = maya.post(plan_url(audit), data)
    assert response.status_code == 302
    assert Plan.objects.get().moved_effort == 20


@pytest.mark.parametrize(
    ("planned", "new", "message"),
    [
        # Time shuffled between two low activities: nothing reaches the next rung.
        ([30, 10, 20, 20, 20], [], "This plan moves 0 points of your week upward"),
        # 20 points to the rung-4 activity, all of them from the rung-5 one: the rung falls.
        ([20, 20, 20, 40, 0], [], "This plan doesn't raise your rung"),
    ],
    ids=["between-low-activities", "rung-falls"],
)
def test_a_shift_that_does_not_climb_is_refused(maya, individual, planned, new, message):
    audit = audit_at(individual, "complete")
    response = maya.post(plan_url(audit), plan_form(planned, new))
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("planned", "message"),
    [
        ([10, 10, 20, 20, 15], "Your shares add up to 95%: 5 points short of 100."),
        ([10, 10, 20, 20, 23], "Your shares add up to 103%: 3 points over 100."),
        ([10, 10, 20, 20, 21], "Your shares add up to 101%: 1 point over 100."),
    ],
)
def test_planned_shares_not_summing_to_100_say_by_how_much(maya, individual, planned, message):
    audit = audit_at(individual, "complete")
    response = maya.post(plan_url(audit), plan_form(planned))
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ((NEW_ACTIVITY, "", ""), "Give this new activity a score and a planned share."),
        ((NEW_ACTIVITY, 4, ""), "Give this new activity a score and a planned share."),
        ((NEW_ACTIVITY, "", 20), "Give this new activity a score and a planned share."),
        (("", 4, 20), "Describe the new activity, or clear its score and share."),
        (("", "", 20), "Describe the new activity, or clear its score and share."),
    ],
)
def test_a_new_activity_needs_a_description_a_score_and_a_share(maya, individual, new, message):
    audit = audit_at(individual, "complete")
    response = maya.post(plan_url(audit), plan_form(new=[new]))
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Plan.objects.exists()


def test_a_plan_needs_two_recurring_events(maya, individual):
    audit = audit_at(individual, "complete")
    response = maya.post(plan_url(audit), plan_form(events=EVENTS[:1]))
    assert response.status_code == 200
    assert "Put at least two recurring events in your calendar" in text_of(response)
    assert not Plan.objects.exists()


def test_an_event_needs_a_day_a_time_and_a_length(maya, individual):
    audit = audit_at(individual, "complete")
    events = [EVENTS[0], ("Architecture decision review", 3, "", 45)]
    response = maya.post(plan_url(audit), plan_form(events=events))
    assert response.status_code == 200
    assert "Give this event a day, a time and a length." in text_of(response)
    assert not Plan.objects.exists()


def test_ones_own_skill_needs_a_name(maya, individual):
    audit = audit_at(individual, "complete")
    unnamed = maya.post(plan_url(audit), plan_form(skill="own"))
    assert unnamed.status_code == 200
    assert "Name the skill you'll build." in text_of(unnamed)
    assert not Plan.objects.exists()

    named = maya.post(plan_url(audit), plan_form(skill="own", own_skill="Running workshops"))
    plan = Plan.objects.get()
    assert named["Location"] == url("sprint", plan.code)
    assert plan.skill_name == "Running workshops"
    assert "Running workshops" in text_of(maya.get(url("sprint", plan.code)))


def test_the_live_preview_returns_only_the_projection_and_warns_about_an_abrupt_cut(
    maya, individual
):
    audit = audit_at(individual, "complete")
    response = maya.post(
        plan_url(audit),
        plan_form([9, 11, 20, 20, 20], [(NEW_ACTIVITY, 5, 20)], preview="1"),
        headers=HTMX,
    )
    assert response.status_code == 200
    html = text_of(response)
    assert html.lstrip().startswith('<div id="projection"')
    assert "<form" not in html
    assert "<html" not in html
    assert "moved effort: <strong>20 points</strong>" in html
    assert "projected rung: <strong>3.7</strong>" in html  # 3.71
    assert f"Careful: you cut “{DESCRIPTIONS[0]}” from 20% to 9%" in html
    assert DESCRIPTIONS[1] not in html  # cut from 20 to 11: less than half
    assert not Plan.objects.exists()


def test_cutting_exactly_half_is_not_abrupt(maya, individual):
    audit = audit_at(individual, "complete")
    response = maya.post(
        plan_url(audit), plan_form([10, 10, 20, 20, 20], preview="1"), headers=HTMX
    )
    assert "Careful: you cut" not in text_of(response)


def test_the_preview_of_a_short_plan_says_how_far_off_it_is(maya, individual):
    audit = audit_at(individual, "complete")
    response = maya.post(
        plan_url(audit),
        plan_form(moving(19), [(NEW_ACTIVITY, 5, 19)], preview="1"),
        headers=HTMX,
    )
    html = text_of(response)
    assert "moved effort: <strong>19 points</strong>" in html
    assert "Give 1 more point to activities scored 4 or higher" in html


# --- Saving again ----------------------------------------------------------------------


def test_saving_twice_keeps_one_plan_and_the_calendar_uids(maya, individual):
    audit = audit_at(individual, "complete")
    maya.post(plan_url(audit), plan_form(events=EVENTS))
    plan = Plan.objects.get()
    first_uids = list(plan.events.values_list("uid", flat=True))
    first_ics = vevents(maya.get(url("calendar_download", plan.code)).content)

    edited = [("Discovery call with two customers", *EVENTS[0][1:]), *EVENTS[1:]]
    response = maya.post(plan_url(audit), plan_form(moving(25), [(NEW_ACTIVITY, 4, 25)], edited))
    assert response["Location"] == url("sprint", plan.code)
    again = Plan.objects.get()
    assert (again.code, again.calendar_token, again.review_uid) == (
        plan.code,
        plan.calendar_token,
        plan.review_uid,
    )
    assert again.moved_effort == 25
    assert list(again.events.values_list("uid", "title")) == [
        (first_uids[0], "Discovery call with two customers"),
        (first_uids[1], EVENTS[1][0]),
        (first_uids[2], EVENTS[2][0]),
    ]
    assert PlannedActivity.objects.count() == 6
    second_ics = vevents(maya.get(url("calendar_download", again.code)).content)
    assert second_ics.keys() == first_ics.keys()  # a re-import updates, never duplicates
    assert str(second_ics[f"{first_uids[0]}@ladder"]["SUMMARY"]) == edited[0][0]

    # Dropping the third event removes it; the first two keep their UIDs.
    maya.post(plan_url(audit), plan_form(events=EVENTS[:2]))
    assert (
        list(PlanEvent.objects.order_by("position").values_list("uid", flat=True))
        == (first_uids[:2])
    )


def test_the_plan_page_opens_with_what_was_saved(maya, individual):
    audit = audit_at(individual, "complete")
    maya.post(plan_url(audit), plan_form(moving(21), [(NEW_ACTIVITY, 5, 21)], events=EVENTS))
    html = maya.get(plan_url(audit)).content.decode()
    assert 'name="planned_3" value="19"' in html
    assert f'name="new_description_1" value="{NEW_ACTIVITY}"' in html
    assert 'name="new_share_1" value="21"' in html
    assert f'name="event_title_3" value="{EVENTS[2][0]}"' in html
    assert 'name="event_start_1" value="16:00"' in html
    assert 'name="sprint_start" value="2026-03-02"' in html


# --- The sprint page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "days_left"),
    [
        (datetime(2026, 3, 2, 12, tzinfo=UTC), 90),
        (datetime(2026, 3, 12, 12, tzinfo=UTC), 80),
        (datetime(2026, 5, 30, 23, 59, tzinfo=UTC), 1),
        (datetime(2026, 5, 31, 12, tzinfo=UTC), 0),  # its last day
    ],
)
def test_the_sprint_page_counts_the_days_left(maya, individual, today, days_left):
    plan = saved_plan(audit_at(individual, "complete"))
    with time_machine.travel(today, tick=False):
        html = text_of(maya.get(url("sprint", plan.code)))
    assert f'Days left</span><span class="stat-value">{days_left}</span>' in html
    assert "starts soon" not in html
    assert "This sprint is finished" not in html


def test_a_sprint_that_is_over_says_finished_not_zero_days_left(maya, individual):
    plan = saved_plan(audit_at(individual, "complete"))
    with time_machine.travel(datetime(2026, 8, 1, 12, tzinfo=UTC), tick=False):
        html = text_of(maya.get(url("sprint", plan.code)))
    assert "This sprint is finished" in html
    assert "it ran from 2 March to 31 May 2026" in html
    assert "Days left" not in html


def test_a_sprint_that_has_not_started_says_so(maya, individual):
    plan = saved_plan(audit_at(individual, "complete"))
    with time_machine.travel(datetime(2026, 3, 1, 23, tzinfo=UTC), tick=False):
        html = text_of(maya.get(url("sprint", plan.code)))
    assert "2 Mar – 31 May 2026 · starts soon" in html


def test_the_sprint_page_shows_the_plan_the_skill_the_events_and_the_review(maya, individual):
    plan = saved_plan(audit_at(individual, "complete"), events=3)
    html = text_of(maya.get(url("sprint", plan.code)))
    assert "Your 90-day sprint" in html
    assert "Domain judgment" in html
    assert "Leading requirements work with clients" in html
    assert "2 Mar – 31 May 2026" in html
    assert "3.0 → 3.9" in html  # 30 points from rungs 1–3 moved to a rung-5 activity
    assert f"{NEW_ACTIVITY} <span" in html
    assert "Discovery call with a customer</strong> — every Tuesday at 16:00, 60 minutes" in html
    assert "Architecture decision review</strong> — every Thursday at 10:00, 45 minutes" in html
    assert "Product sync with design and sales</strong> — every Friday at 11:30, 30 minutes" in html
    assert "Quarterly review</strong> — 60 minutes on 31 May 2026, then every three months" in html
    assert f"http://testserver{feed_url(plan)}" in html


def test_the_report_shows_the_audit_and_the_plan_to_its_owner_only(
    maya, individual, second_individual
):
    plan = saved_plan(audit_at(individual, "complete"), events=3)
    response = maya.get(url("report", plan.code))
    assert response.status_code == 200
    html = text_of(response)
    assert "Software developer: from rung 3.0 toward 4" in html
    assert "Maya Patel" in html
    assert "Leading requirements work with clients" in html
    assert "Focus skill: <strong>Domain judgment</strong>" in html
    assert all(description in html for description in DESCRIPTIONS[:5])
    assert "Discovery call with a customer: Tuesdays 16:00, 60 min" in html
    assert "Quarterly 60-minute review from 31 May 2026" in html

    tom = Client()
    tom.force_login(second_individual)
    assert tom.get(url("report", plan.code)).status_code == 404


# --- The calendar -------------------------------------------------------------------------


def test_the_calendar_download_parses_with_two_parsers_in_the_persons_time_zone(
    maya, individual, second_individual
):
    individual.time_zone = "Europe/London"
    individual.save()
    plan = saved_plan(audit_at(individual, "complete"), events=2)
    discovery, review_meeting = plan.events.all()
    response = maya.get(url("calendar_download", plan.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ladder-sprint.ics"'

    # icalendar: the events, their recurrence, and the person's zone.
    events = vevents(response.content)
    assert len(events) == 3  # two weekly events and the quarterly review
    weekly = events[uid(discovery)]
    assert str(weekly["SUMMARY"]) == "Discovery call with a customer"
    start = weekly.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/London"
    assert start.replace(tzinfo=None) == datetime(2026, 3, 3, 16, 0)  # the first Tuesday
    assert weekly.decoded("DTEND") - start == timedelta(minutes=60)
    rule = weekly["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["TU"]
    assert str(events[uid(review_meeting)]["SUMMARY"]) == "Architecture decision review"
    review = events[f"{plan.review_uid}@ladder"]
    assert review.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 5, 31, 9, 0)
    assert review.decoded("DTEND") - review.decoded("DTSTART") == timedelta(minutes=60)
    assert review["RRULE"]["FREQ"] == ["MONTHLY"]
    assert review["RRULE"]["INTERVAL"] == [3]

    # vobject, independently: every Tuesday of the sprint at 16:00 London time. Read
    # with the file's own VTIMEZONE (as a calendar app without the IANA database
    # would), that is 16:00 UTC until the clocks go forward on 29 March, then 15:00 UTC.
    parsed = vobject.readOne(response.content.decode())
    by_uid = {event.uid.value: event for event in parsed.vevent_list}
    assert by_uid.keys() == events.keys()
    assert parsed.vtimezone.tzid.value == "Europe/London"
    london = parsed.vtimezone.gettzinfo()
    tuesdays = [day.replace(tzinfo=None) for day in by_uid[uid(discovery)].getrruleset()]
    assert len(tuesdays) == 13
    assert tuesdays[0].date() == date(2026, 3, 3)
    assert tuesdays[-1].date() == date(2026, 5, 26)
    assert all(day.weekday() == 1 and day.time() == time(16, 0) for day in tuesdays)
    in_utc = {day.date(): (day - london.utcoffset(day)).time() for day in tuesdays}
    assert in_utc[date(2026, 3, 24)] == time(16, 0)
    assert in_utc[date(2026, 3, 31)] == time(15, 0)
    assert in_utc[date(2026, 5, 26)] == time(15, 0)
    assert by_uid[uid(discovery)].summary.value == "Discovery call with a customer"

    tom = Client()
    tom.force_login(second_individual)
    assert tom.get(url("calendar_download", plan.code)).status_code == 404


def test_the_subscription_address_works_without_log_in_until_a_new_one_is_made(maya, individual):
    plan = saved_plan(audit_at(individual, "complete"), events=3)
    old = feed_url(plan)
    calendar_app = Client()
    response = calendar_app.get(old)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(vevents(response.content)) == 4

    assert maya.get(url("calendar_revoke", plan.code)).status_code == 405
    assert calendar_app.get(old).status_code == 200

    revoked = maya.post(url("calendar_revoke", plan.code), follow=True)
    assert revoked.redirect_chain == [(url("sprint", plan.code), 302)]
    assert "The old subscription address no longer works" in text_of(revoked)
    assert calendar_app.get(old).status_code == 404
    plan.refresh_from_db()
    assert feed_url(plan) != old
    assert f"http://testserver{feed_url(plan)}" in text_of(revoked)
    renewed = calendar_app.get(feed_url(plan))
    assert renewed.status_code == 200
    assert vevents(renewed.content).keys() == vevents(response.content).keys()


def test_an_unchanged_calendar_answers_a_polling_app_with_304(maya, individual):
    plan = saved_plan(audit_at(individual, "complete"))
    calendar_app = Client()
    first = calendar_app.get(feed_url(plan))
    etag = first["ETag"]
    again = calendar_app.get(feed_url(plan), headers={"if-none-match": etag})
    assert (again.status_code, again.content) == (304, b"")
    download = maya.get(url("calendar_download", plan.code), headers={"if-none-match": etag})
    assert download.status_code == 304
    assert maya.get(url("calendar_download", plan.code)).content == first.content


@pytest.mark.parametrize("change", ["time zone", "event", "plan saved again"])
def test_a_changed_sprint_gets_a_new_calendar_not_the_cached_one(maya, individual, change):
    User.objects.filter(pk=individual.pk).update(time_zone="Europe/London")
    plan = saved_plan(audit_at(individual, "complete"))
    before = Client().get(feed_url(plan))
    assert b"TZID=Europe/London" in before.content
    if change == "time zone":
        User.objects.filter(pk=individual.pk).update(time_zone="America/New_York")
    elif change == "event":  # even a change that leaves the plan's updated_at alone
        PlanEvent.objects.filter(plan=plan, title=EVENTS[0][0]).update(title="Client call")
    else:
        saved_plan(plan.audit, events=3)
    after = Client().get(feed_url(plan), headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content
    events = [str(e["SUMMARY"]) for e in vevents(after.content).values()]
    if change == "time zone":
        assert b"TZID=America/New_York" in after.content
    elif change == "event":
        assert "Client call" in events
    else:
        assert EVENTS[2][0] in events


def test_an_unknown_subscription_address_is_404(client, db):
    assert client.get(reverse("assessments:calendar_feed", args=["nope"])).status_code == 404


# --- Export and deletion ------------------------------------------------------------------


def test_the_export_has_the_plan_and_not_the_calendar_token(maya, individual):
    with_plan = audit_at(individual, "complete")
    maya.post(plan_url(with_plan), plan_form(events=EVENTS))
    without_plan = audit_at(individual, "complete", job_title="Second audit")
    plan = Plan.objects.get()

    response = maya.get(reverse("accounts:export"))
    assert plan.calendar_token not in response.content.decode()
    assert b"calendar_token" not in response.content
    audits = {a["code"]: a for a in json.loads(response.content)["audits"]}
    assert audits[str(without_plan.code)]["plan"] is None
    exported = audits[str(with_plan.code)]["plan"]
    assert exported["code"] == str(plan.code)
    assert exported["target_rung"] == 4
    assert exported["next_role"] == "The developer who leads requirements work with clients"
    assert (exported["proxy"], exported["proxy_week"]) == (
        "Priya, staff engineer",
        "Customer calls and design reviews",
    )
    assert (exported["skill"], exported["skill_name"]) == ("negotiation", "Negotiation")
    assert exported["moved_effort"] == 20
    assert exported["projected_rung"] == str(plan.projected_rung)
    assert exported["sprint"] == {"start": "2026-03-02", "end": "2026-05-31"}
    assert exported["activities"][0] == {
        "description": DESCRIPTIONS[0],
        "score": 1,
        "current_share": 20,
        "planned_share": 10,
    }
    assert exported["activities"][-1] == {
        "description": NEW_ACTIVITY,
        "score": 4,
        "current_share": 0,
        "planned_share": 20,
    }
    assert sum(a["planned_share"] for a in exported["activities"]) == 100
    assert exported["events"] == [
        {"uid": str(e.uid), "title": e.title, "weekday": day, "start": start, "minutes": minutes}
        for e, day, start, minutes in zip(
            plan.events.all(),
            ["Tuesday", "Thursday", "Friday"],
            ["16:00", "10:00", "11:30"],
            [60, 45, 30],
            strict=True,
        )
    ]
    assert exported["quarterly_review"] == {
        "uid": str(plan.review_uid),
        "first": "2026-05-31",
        "minutes": 60,
        "every_months": 3,
    }


# session, user, audits with snapshots and plans, three prefetches, check-ins, active
# clients, links, comments
EXPORT_QUERIES = 10


@pytest.mark.parametrize("audits", [1, 3])
def test_query_count_of_the_export_does_not_grow_with_plans(
    maya, individual, django_assert_num_queries, audits
):
    for i in range(audits):
        saved_plan(audit_at(individual, "complete", job_title=f"Role {i}"), events=2 + i % 2)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = maya.get(reverse("accounts:export"))
    assert len([a for a in json.loads(response.content)["audits"] if a["plan"]]) == audits


def test_deleting_the_audit_deletes_its_plan_and_stops_the_calendar(maya, individual):
    audit = audit_at(individual, "complete")
    plan = saved_plan(audit, events=3)
    assert maya.post(url("delete", audit.code)).status_code == 302
    assert not Plan.objects.exists()
    assert not PlannedActivity.objects.exists()
    assert not PlanEvent.objects.exists()
    assert Client().get(feed_url(plan)).status_code == 404
    assert maya.get(url("sprint", plan.code)).status_code == 404


# --- Hostile text ---------------------------------------------------------------------------


def test_hostile_text_is_escaped_on_pages_and_stays_inside_its_calendar_field(maya, individual):
    hostile = f"{SCRIPT} call, then; plan 🚀\nBEGIN:VEVENT"
    events = [(hostile, 1, "16:00", 60), ("Line one\nLine two, with; all", 3, "10:00", 45)]
    audit = audit_at(individual, "complete")
    response = maya.post(
        plan_url(audit),
        plan_form(
            new=[(f"{SCRIPT} workshops 🧑‍💻", 4, 20)],
            events=events,
            next_role=f"{SCRIPT} lead 🚀",
            proxy=SCRIPT,
        ),
    )
    plan = Plan.objects.get()
    assert response["Location"] == url("sprint", plan.code)
    assert plan.events.get(position=1).title == hostile

    for name, code in [("plan", audit.code), ("sprint", plan.code), ("report", plan.code)]:
        page = maya.get(url(name, code))
        html = page.content.decode()
        assert page.status_code == 200, name
        assert "<script>alert(" not in html, name
        assert "&lt;script&gt;alert(" in html, name
        assert "🚀" in html, name
        assert "🧑‍💻" in html, name

    ics = maya.get(url("calendar_download", plan.code)).content
    unfolded = ics.replace(b"\r\n ", b"")
    assert b"\\, then\\; plan" in unfolded
    assert b"\\nBEGIN:VEVENT" in unfolded
    parsed = vevents(ics)
    assert len(parsed) == 3  # the line break opened no new event
    first, second = plan.events.all()
    assert str(parsed[uid(first)]["SUMMARY"]) == hostile
    assert str(parsed[uid(second)]["SUMMARY"]) == "Line one\nLine two, with; all"
    other = {e.uid.value: e.summary.value for e in vobject.readOne(ics.decode()).vevent_list}
    assert other[uid(first)] == hostile
    assert other[uid(second)] == "Line one\nLine two, with; all"
    exported = json.loads(maya.get(reverse("accounts:export")).content)["audits"][0]["plan"]
    assert exported["events"][0]["title"] == hostile
    assert exported["activities"][-1]["description"] == f"{SCRIPT} workshops 🧑‍💻"


# --- Query counts don't grow with the plan ----------------------------------------------------

SIZES = [(5, 2), (10, 3)]  # (activities, events)
# Session, user, audit, snapshot, plan, its activities, its events, the suggestions.
PLAN_PAGE_QUERIES = 8
SPRINT_QUERIES = 5  # session, user, plan with audit and snapshot, activities, events
CALENDAR_QUERIES = 4  # session, user, plan with audit and owner, events


@pytest.mark.parametrize(("activities", "events"), SIZES)
def test_query_count_of_the_plan_page(
    maya, individual, django_assert_num_queries, activities, events
):
    audit = audit_at(individual, "complete", activities)
    saved_plan(audit, events)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = maya.get(plan_url(audit))
    assert response.status_code == 200


@pytest.mark.parametrize(("activities", "events"), SIZES)
def test_query_count_of_the_sprint_page(
    maya, individual, django_assert_num_queries, activities, events
):
    plan = saved_plan(audit_at(individual, "complete", activities), events)
    with django_assert_num_queries(SPRINT_QUERIES):
        response = maya.get(url("sprint", plan.code))
    assert response.status_code == 200


@pytest.mark.parametrize(("activities", "events"), SIZES)
def test_query_count_of_the_calendar_download(
    maya, individual, django_assert_num_queries, activities, events
):
    plan = saved_plan(audit_at(individual, "complete", activities), events)
    with django_assert_num_queries(CALENDAR_QUERIES):
        response = maya.get(url("calendar_download", plan.code))
    assert len(vevents(response.content)) == events + 1
