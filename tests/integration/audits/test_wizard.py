"""The audit wizard (issue 4): role → activities → time → scores → result, with and
without htmx, every bad input a new user tries, stale tabs, double clicks, and query
counts that don't grow with the number of activities."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.audits import services
from assessments.library import services as library
from assessments.models import Activity, Audit, Occupation, RungSnapshot, TaskStatement
from ladder.method import runway, scoring
from tests.factories import (
    DESCRIPTIONS,
    HTMX,
    OTHER_DESCRIPTIONS,
    SOFTWARE_DEVELOPERS,
    activities_form,
    audit_at,
    fresh,
    ordered,
    saved,
    scores_form,
    shares_for,
    step_url,
    time_form,
    url,
)

# --- Helpers: build audits through the services, and the forms a browser would post ---


def form_version(html: str) -> int:
    """The draft version a re-rendered form carries, as a browser would send it back."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field in the form"
    return int(match.group(1))


# --- The whole way through -----------------------------------------------------------


def test_whole_audit_from_start_to_result_writes_the_exact_snapshot(maya, individual):
    started = maya.post(reverse("assessments:start"))
    audit = Audit.objects.get(owner=individual)
    assert started.status_code == 302
    assert started["Location"] == step_url(audit, "role")
    assert audit.is_draft

    assert maya.get(step_url(audit, "role")).status_code == 200
    role = maya.post(
        step_url(audit, "role"),
        {"version": audit.version, "job_title": "Backend developer", "occupation": "15-1252.00"},
    )
    assert role.status_code == 302
    assert role["Location"] == step_url(audit, "activities")

    audit = fresh(audit)
    assert maya.get(step_url(audit, "activities")).status_code == 200
    activities = maya.post(
        step_url(audit, "activities"), activities_form(audit.version, DESCRIPTIONS[:5])
    )
    assert activities.status_code == 302
    assert activities["Location"] == step_url(audit, "time")

    audit = fresh(audit)
    assert maya.get(step_url(audit, "time")).status_code == 200
    time = maya.post(step_url(audit, "time"), time_form(audit, [40, 30, 10, 10, 10]))
    assert time.status_code == 302
    assert time["Location"] == step_url(audit, "scores")

    audit = fresh(audit)
    assert maya.get(step_url(audit, "scores")).status_code == 200
    scored = maya.post(
        step_url(audit, "scores"),
        scores_form(audit, [1, 1, 4, 5, 3], ["yes", "yes", "no", "no", ""]),
    )
    assert scored.status_code == 302
    assert scored["Location"] == url(audit, "result")

    audit = fresh(audit)
    assert audit.status == Audit.Status.COMPLETE
    assert audit.completed_at is not None
    snapshot = RungSnapshot.objects.get(audit=audit)
    # 40×1 + 30×1 + 10×4 + 10×5 + 10×3 = 190 → 1.90
    assert snapshot.rung == Decimal("1.90")
    assert snapshot.low_share == 70
    assert snapshot.high_share == 20
    assert snapshot.owner == individual
    developers = Occupation.objects.get(code=SOFTWARE_DEVELOPERS)
    assert snapshot.occupation_code == SOFTWARE_DEVELOPERS
    assert snapshot.occupation_title == developers.title
    assert snapshot.benchmark_rung == developers.rung
    expected_runway = runway.runway_range(
        1.9, timezone.localdate(snapshot.taken_at), library.scenarios()
    )
    assert snapshot.runway_text == expected_runway.describe()
    assert snapshot.runway_shortest_days == expected_runway.shortest_days
    assert snapshot.runway_longest_days == expected_runway.longest_days
    assert [s["key"] for s in snapshot.scenarios] == [s.key for s in library.scenarios()]
    assert snapshot.rubric_version == scoring.RUBRIC_VERSION
    assert snapshot.activities == [
        {"description": d, "share": s, "score": n, "task": None, "no_task": False}
        for d, s, n in zip(DESCRIPTIONS[:5], [40, 30, 10, 10, 10], [1, 1, 4, 5, 3], strict=True)
    ]
    assert [a.three_year for a in ordered(audit)] == [True, True, False, False, None]

    page = maya.get(url(audit, "result"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your rung is 1.9" in html
    assert snapshot.runway_text in html
    assert "70%" in html
    # The concentration warning names the high-scoring activities that take little time.
    assert "Most of your week sits low on the ladder" in html
    assert f"“{DESCRIPTIONS[2]}” (10%)" in html
    assert f"“{DESCRIPTIONS[3]}” (10%)" in html
    assert "Keep this result" not in html


def test_result_of_a_balanced_week_has_no_concentration_warning(maya, individual):
    audit = audit_at(individual, "complete", scores=[3, 4, 5, 4, 2])
    html = maya.get(url(audit, "result")).content.decode()
    assert "Most of your week sits low on the ladder" not in html


def test_new_audit_needs_a_post(maya, individual):
    page = maya.get(reverse("assessments:start"))
    assert page.status_code == 200
    assert not Audit.objects.filter(owner=individual).exists()


# --- htmx: only the fragment, and headers instead of redirects -------------------------


@pytest.mark.parametrize("step", ["role", "activities", "time", "scores"])
def test_htmx_get_of_a_step_returns_only_the_fragment(maya, individual, step):
    audit = audit_at(individual, "scores")
    full = maya.get(step_url(audit, step)).content.decode()
    fragment = maya.get(step_url(audit, step), headers=HTMX).content.decode()
    assert "<html" in full
    assert "<html" not in fragment
    assert "<form" in fragment
    assert 'aria-label="Audit steps"' in fragment


def test_htmx_steps_move_on_with_hx_location_and_the_result_with_hx_redirect(maya, individual):
    audit = audit_at(individual, "role")
    role = maya.post(
        step_url(audit, "role"),
        {"version": audit.version, "job_title": "Developer", "occupation": SOFTWARE_DEVELOPERS},
        headers=HTMX,
    )
    assert role.status_code == 204
    assert json.loads(role["HX-Location"]) == {
        "path": step_url(audit, "activities"),
        "target": "#wizard",
        "swap": "innerHTML show:window:top",
    }

    audit = fresh(audit)
    listed = maya.post(
        step_url(audit, "activities"),
        activities_form(audit.version, DESCRIPTIONS[:5]),
        headers=HTMX,
    )
    assert listed.status_code == 204
    assert json.loads(listed["HX-Location"])["path"] == step_url(audit, "time")

    audit = fresh(audit)
    timed = maya.post(step_url(audit, "time"), time_form(audit, shares_for(5)), headers=HTMX)
    assert timed.status_code == 204
    assert json.loads(timed["HX-Location"])["path"] == step_url(audit, "scores")

    audit = fresh(audit)
    scored = maya.post(step_url(audit, "scores"), scores_form(audit, [1, 2, 3, 4, 5]), headers=HTMX)
    assert scored.status_code == 204
    assert scored["HX-Redirect"] == url(audit, "result")
    assert RungSnapshot.objects.get(audit=audit).rung == Decimal("3.00")


def test_htmx_form_with_errors_returns_only_the_fragment(maya, individual):
    audit = audit_at(individual, "time")
    response = maya.post(
        step_url(audit, "time"), time_form(audit, [20, 20, 20, 20, 19]), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "1 point short of 100" in html


def test_live_share_total_preview_returns_only_the_total_and_saves_nothing(maya, individual):
    audit = audit_at(individual, "time")
    data = time_form(audit, [50, 30, "", "", ""])
    data["preview"] = "1"
    response = maya.post(step_url(audit, "time"), data, headers=HTMX)
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<p id="share-total"')
    assert html.endswith("</p>")
    assert "<form" not in html
    assert "<html" not in html
    assert "<strong>80%</strong>" in html
    assert "20 to go" in html
    assert fresh(audit).version == audit.version
    assert [share for _, share, _ in saved(audit)] == [None] * 5


def test_live_share_total_counts_20_percent_signs_and_ignores_unreadable_entries(maya, individual):
    audit = audit_at(individual, "time")
    data = time_form(audit, ["20%", "ten", "30", "33.3", "55"])
    data["preview"] = "1"
    html = maya.post(step_url(audit, "time"), data, headers=HTMX).content.decode()
    assert "<strong>105%</strong>" in html
    assert "5 too many" in html


# --- Time: bad shares ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([20, 20, 20, 20, 19], "1 point short of 100"),
        ([20, 20, 20, 20, 21], "1 point over 100"),
        ([30, 20, 20, 20, 8], "2 points short of 100"),
    ],
)
def test_shares_not_summing_to_100_say_by_how_much(maya, individual, shares, message):
    audit = audit_at(individual, "scores")  # shares 20 each already saved
    before = saved(audit)
    response = maya.post(step_url(audit, "time"), time_form(fresh(audit), shares))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].non_field_errors())
    assert saved(audit) == before
    assert fresh(audit).version == audit.version


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (0, "At least 1%"),
        (-5, "At least 1%"),
        ("33.3", "Enter a whole number of percent"),
        ("33.3%", "Enter a whole number of percent"),
        ("ten", "Enter a whole number of percent"),
        ("", "Give this activity a share of your week"),
        (101, "At most 100%"),
    ],
)
def test_a_bad_share_gets_a_message_next_to_its_field(maya, individual, bad, message):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    response = maya.post(step_url(audit, "time"), time_form(fresh(audit), [bad, 20, 20, 20, 20]))
    first = ordered(audit)[0]
    assert response.status_code == 200
    field_errors = response.context["form"].errors[f"share_{first.pk}"]
    assert any(message in e for e in field_errors), field_errors
    assert f'id="id_share_{first.pk}_error"' in response.content.decode()
    assert saved(audit) == before
    assert fresh(audit).version == audit.version


def test_a_trailing_percent_sign_is_accepted(maya, individual):
    audit = audit_at(individual, "time")
    response = maya.post(step_url(audit, "time"), time_form(audit, ["20%", "20 %", 20, " 20", 20]))
    assert response.status_code == 302
    assert [share for _, share, _ in saved(audit)] == [20, 20, 20, 20, 20]


# --- Activities: bad lists ----------------------------------------------------------------


def test_four_activities_are_not_enough(maya, individual):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    response = maya.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, OTHER_DESCRIPTIONS[:4])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "List at least 5 activities; you have 4" in html
    assert saved(audit) == before


def test_an_empty_or_blank_slot_does_not_count_as_an_activity(maya, individual):
    audit = audit_at(individual, "activities")
    texts = [*OTHER_DESCRIPTIONS[:2], "   ", *OTHER_DESCRIPTIONS[2:4], ""]
    response = maya.post(step_url(audit, "activities"), activities_form(audit.version, texts))
    assert response.status_code == 200
    assert "List at least 5 activities; you have 4" in response.content.decode()
    assert saved(audit) == []


def test_an_eleventh_activity_posted_by_hand_is_ignored(maya, individual):
    audit = audit_at(individual, "activities")
    data = activities_form(audit.version, DESCRIPTIONS)
    data["activity_11"] = "Sneaking in an eleventh activity by hand"
    response = maya.post(step_url(audit, "activities"), data)
    assert response.status_code == 302
    assert [d for d, _, _ in saved(audit)] == DESCRIPTIONS
    assert not Activity.objects.filter(description__startswith="Sneaking").exists()


def test_a_201_character_description_is_refused_next_to_its_field(maya, individual):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    texts = [*OTHER_DESCRIPTIONS[:4], "Reviewing " + "x" * 191]
    assert len(texts[4]) == 201
    response = maya.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, texts)
    )
    assert response.status_code == 200
    assert any(
        "Keep it under 200 characters" in e for e in response.context["form"].errors["activity_5"]
    )
    assert saved(audit) == before


def test_a_200_character_description_is_accepted(maya, individual):
    audit = audit_at(individual, "activities")
    long_one = "Reviewing supplier contracts " + "y" * 171
    assert len(long_one) == 200
    texts = [*OTHER_DESCRIPTIONS[:4], long_one]
    response = maya.post(step_url(audit, "activities"), activities_form(audit.version, texts))
    assert response.status_code == 302
    assert saved(audit)[4][0] == long_one


def test_the_same_activity_twice_is_refused_whatever_the_case(maya, individual):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    texts = [*OTHER_DESCRIPTIONS[:4], "  migrating THE billing database   to the new cluster "]
    response = maya.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, texts)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["activity_5"]
    assert errors == ["You already listed this as activity 1."]
    assert saved(audit) == before


def test_unchanged_activities_keep_their_shares_when_the_list_is_edited(maya, individual):
    audit = audit_at(individual, "scores")
    texts = [
        DESCRIPTIONS[0],
        DESCRIPTIONS[1],
        DESCRIPTIONS[2],
        DESCRIPTIONS[3],
        OTHER_DESCRIPTIONS[0],
    ]
    response = maya.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, texts)
    )
    assert response.status_code == 302
    assert saved(audit) == [
        (DESCRIPTIONS[0], 20, None),
        (DESCRIPTIONS[1], 20, None),
        (DESCRIPTIONS[2], 20, None),
        (DESCRIPTIONS[3], 20, None),
        (OTHER_DESCRIPTIONS[0], None, None),
    ]


# --- Granularity --------------------------------------------------------------------------


@pytest.mark.parametrize("broad", ["attorney", "coding"])
def test_a_broad_activity_gets_a_warning_and_continue_anyway_saves_it(maya, individual, broad):
    audit = audit_at(individual, "activities")
    texts = [*OTHER_DESCRIPTIONS[:4], broad]
    warned = maya.post(step_url(audit, "activities"), activities_form(audit.version, texts))
    html = warned.content.decode()
    assert warned.status_code == 200
    assert "Some activities look too broad to score" in html
    assert 'id="id_activity_5_warning"' in html
    assert "Continue anyway" in html
    assert '<input type="hidden" name="acknowledged" value="on">' in html
    assert saved(audit) == []

    kept = maya.post(
        step_url(audit, "activities"),
        activities_form(form_version(html), texts, acknowledged="on"),
    )
    assert kept.status_code == 302
    assert kept["Location"] == step_url(audit, "time")
    assert [d for d, _, _ in saved(audit)] == texts


# --- Suggestions from the occupation's task statements -----------------------------------


def test_adding_a_suggestion_fills_the_first_empty_slot_and_keeps_what_was_typed(maya, individual):
    audit = audit_at(individual, "activities")
    task = TaskStatement.objects.filter(occupation__code=SOFTWARE_DEVELOPERS).first()
    page = maya.get(step_url(audit, "activities")).content.decode()
    assert "Suggestions from “Software Developers”" in page
    assert f'name="add_task" value="{task.pk}"' in page

    data = activities_form(audit.version, OTHER_DESCRIPTIONS[:2], add_task=str(task.pk))
    response = maya.post(step_url(audit, "activities"), data)
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, "activities") + "#activity-list"
    rows = ordered(audit)
    assert [a.description for a in rows] == [*OTHER_DESCRIPTIONS[:2], task.text[:200].rstrip()]
    assert [a.task_id for a in rows] == [None, None, task.pk]
    assert fresh(audit).reached == Audit.Step.ACTIVITIES

    form = maya.get(step_url(audit, "activities")).context["form"]
    assert form["activity_1"].value() == OTHER_DESCRIPTIONS[0]
    assert form["activity_2"].value() == OTHER_DESCRIPTIONS[1]
    assert form["activity_3"].value() == task.text[:200].rstrip()
    assert not form["activity_4"].value()


def test_adding_a_suggestion_with_htmx_returns_the_fragment_with_it_in_place(maya, individual):
    audit = audit_at(individual, "activities")
    task = TaskStatement.objects.filter(occupation__code=SOFTWARE_DEVELOPERS).first()
    data = activities_form(audit.version, OTHER_DESCRIPTIONS[:1], add_task=str(task.pk))
    response = maya.post(step_url(audit, "activities"), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert response.context["form"]["activity_2"].value() == task.text[:200].rstrip()
    assert f'name="add_task" value="{task.pk}"' not in html


@pytest.mark.parametrize("which", ["another occupation's task", "not a number", "no such task"])
def test_adding_a_task_that_is_not_a_suggestion_is_refused(maya, individual, which):
    audit = audit_at(individual, "activities")
    foreign = TaskStatement.objects.exclude(occupation__code=SOFTWARE_DEVELOPERS).first()
    value = {
        "another occupation's task": str(foreign.pk),
        "not a number": "abc",
        "no such task": "999999999",
    }[which]
    data = activities_form(audit.version, OTHER_DESCRIPTIONS[:2], add_task=value)
    response = maya.post(step_url(audit, "activities"), data, follow=True)
    assert response.status_code == 200
    assert "That suggestion isn't available any more." in unescape(response.content.decode())
    assert not Activity.objects.filter(audit=audit, task__isnull=False).exists()
    assert [d for d, _, _ in saved(audit)] == OTHER_DESCRIPTIONS[:2]


def test_an_activity_from_a_task_statement_shows_its_suggested_score(maya, individual):
    audit = audit_at(individual, "activities")
    task = (
        TaskStatement.objects.filter(
            occupation__code=SOFTWARE_DEVELOPERS, suggested_score__isnull=False
        )
        .exclude(exposure="")
        .first()
    )
    services.audit_save_activities(
        audit=audit,
        expected_version=audit.version,
        drafts=[
            services.ActivityDraft(task.text[:200], task.pk),
            *(services.ActivityDraft(d) for d in DESCRIPTIONS[:4]),
        ],
        advance=True,
    )
    maya.post(step_url(audit, "time"), time_form(fresh(audit), shares_for(5)))
    html = maya.get(step_url(audit, "scores")).content.decode()
    assert f"suggested score {scoring.round_half_up(task.suggested_score)}" in html
    assert task.get_exposure_display().lower() in html


# --- Scores: bad input --------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, "five", ""])
def test_a_score_outside_1_to_5_is_refused(maya, individual, bad):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    response = maya.post(step_url(audit, "scores"), scores_form(audit, [bad, 2, 3, 4, 5]))
    first = ordered(audit)[0]
    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{first.pk}"] == ["Choose a score from 1 to 5."]
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert saved(audit) == before
    assert fresh(audit).is_draft
    assert not RungSnapshot.objects.filter(audit=audit).exists()


def test_three_year_yes_with_a_high_score_is_refused(maya, individual):
    audit = audit_at(individual, "scores")
    before = saved(audit)
    response = maya.post(
        step_url(audit, "scores"), scores_form(audit, [4, 2, 3, 4, 5], ["yes", "", "", "", ""])
    )
    first = ordered(audit)[0]
    assert response.status_code == 200
    errors = response.context["form"].errors[f"score_{first.pk}"]
    assert any("within three years" in e and "1 or 2" in e for e in errors), errors
    assert saved(audit) == before
    assert not RungSnapshot.objects.filter(audit=audit).exists()


def test_three_year_yes_with_a_low_score_is_fine(maya, individual):
    audit = audit_at(individual, "scores")
    response = maya.post(
        step_url(audit, "scores"), scores_form(audit, [2, 2, 3, 4, 5], ["yes", "", "", "", ""])
    )
    assert response.status_code == 302
    assert RungSnapshot.objects.get(audit=audit).rung == Decimal("3.20")


@pytest.mark.parametrize(
    ("field", "value"), [("share", 0), ("share", 101), ("score", 0), ("score", 6)]
)
def test_the_database_refuses_out_of_range_shares_and_scores(individual, field, value):
    audit = audit_at(individual, "scores")
    first = ordered(audit)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=first.pk).update(**{field: value})
    assert saved(audit)[0] == (DESCRIPTIONS[0], 20, None)


# --- Out of order -------------------------------------------------------------------------


def test_scores_posted_before_time_is_done_go_back_to_time_and_save_nothing(maya, individual):
    audit = audit_at(individual, "time")
    before = saved(audit)
    response = maya.post(step_url(audit, "scores"), scores_form(audit, [1, 2, 3, 4, 5]))
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, "time")
    assert saved(audit) == before
    assert fresh(audit).version == audit.version
    assert not RungSnapshot.objects.filter(audit=audit).exists()


def test_time_posted_before_activities_are_done_goes_back_to_activities(maya, individual):
    audit = audit_at(individual, "activities")
    response = maya.post(step_url(audit, "time"), {"version": audit.version, "share_1": 100})
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, "activities")
    assert fresh(audit).version == audit.version


@pytest.mark.parametrize(("reached", "later"), [("role", "scores"), ("activities", "time")])
def test_opening_a_later_step_goes_to_the_furthest_step_reached(maya, individual, reached, later):
    audit = audit_at(individual, reached)
    response = maya.get(step_url(audit, later))
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, reached)


def test_a_draft_result_goes_to_the_furthest_step_reached(maya, individual):
    audit = audit_at(individual, "time")
    response = maya.get(url(audit, "result"))
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, "time")


def _drop_the_sixth_activity(client: Client, owner: User) -> Audit:
    """An audit that had reached scores with six activities, then lost one: its shares
    now add up to 84."""
    audit = audit_at(owner, "scores", 6)
    dropped = client.post(
        step_url(audit, "activities"), activities_form(audit.version, DESCRIPTIONS[:5])
    )
    assert dropped.status_code == 302
    assert [s for _, s, _ in saved(audit)] == [20, 16, 16, 16, 16]
    return fresh(audit)


def test_scores_posted_after_an_activity_was_removed_go_back_to_time_with_the_gap(maya, individual):
    audit = _drop_the_sixth_activity(maya, individual)
    response = maya.post(
        step_url(audit, "scores"), scores_form(audit, [1, 2, 3, 4, 5]), follow=True
    )
    assert response.redirect_chain[-1][0] == step_url(audit, "time")
    assert "16 to go" in response.content.decode()
    assert fresh(audit).is_draft
    assert not RungSnapshot.objects.filter(audit=audit).exists()


def test_removing_an_activity_sends_the_scores_step_back_to_time(maya, individual):
    audit = _drop_the_sixth_activity(maya, individual)
    response = maya.get(step_url(audit, "scores"))
    assert response.status_code == 302
    assert response["Location"] == step_url(audit, "time")


# --- Other people's audits ---------------------------------------------------------------

ENDPOINTS = [
    ("GET", "step_role"),
    ("POST", "step_role"),
    ("GET", "step_activities"),
    ("POST", "step_activities"),
    ("GET", "step_time"),
    ("POST", "step_time"),
    ("GET", "step_scores"),
    ("POST", "step_scores"),
    ("GET", "result"),
    ("GET", "delete"),
    ("POST", "delete"),
]


def _posted_for(audit: Audit, name: str) -> dict[str, object]:
    return {
        "step_role": {"version": audit.version, "job_title": "Hijacked"},
        "step_activities": activities_form(audit.version, OTHER_DESCRIPTIONS),
        "step_time": time_form(audit, [96, 1, 1, 1, 1]),
        "step_scores": scores_form(audit, [5, 5, 5, 5, 5]),
        "delete": {},
    }[name]


@pytest.mark.parametrize("visitor", ["another person", "anonymous"])
@pytest.mark.parametrize(("method", "name"), ENDPOINTS)
def test_another_persons_audit_is_404_on_every_step_result_and_delete(
    client, individual, second_individual, visitor, method, name
):
    audit = audit_at(individual, "complete" if name == "result" else "scores")
    before = (saved(audit), fresh(audit).version, fresh(audit).job_title)
    if visitor == "another person":
        client.force_login(second_individual)
    target = url(audit, name)
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, _posted_for(audit, name))
    assert response.status_code == 404
    assert Audit.objects.filter(pk=audit.pk).exists()
    assert (saved(audit), fresh(audit).version, fresh(audit).job_title) == before


@pytest.mark.parametrize("code", ["00000000-0000-0000-0000-000000000000", "not-a-code"])
def test_an_unknown_audit_code_is_404(maya, code):
    assert maya.get(f"/audit/{code}/role/").status_code == 404
    assert maya.get(f"/audit/{code}/result/").status_code == 404


# --- Markup and emoji are kept as text ---------------------------------------------------

SCRIPT = '<script>alert("ladder")</script>'


def test_script_and_emoji_are_escaped_on_every_page_and_intact_in_the_export(maya, individual):
    job_title = f"{SCRIPT} Développeur 🚀"
    texts = [f"{SCRIPT} reviewing contract batch {i} 🧑‍💻" for i in range(1, 6)]
    audit = audit_at(individual, "role")
    maya.post(
        step_url(audit, "role"),
        {"version": audit.version, "job_title": job_title, "occupation": SOFTWARE_DEVELOPERS},
    )
    response = maya.post(
        step_url(audit, "activities"), activities_form(fresh(audit).version, texts)
    )
    assert response.status_code == 302, response.context["form"].errors
    assert [d for d, _, _ in saved(audit)] == texts
    assert fresh(audit).job_title == job_title

    pages = [maya.get(step_url(audit, step)) for step in ("role", "activities", "time")]
    maya.post(step_url(audit, "time"), time_form(fresh(audit), shares_for(5)))
    pages.append(maya.get(step_url(audit, "scores")))
    pages.append(maya.get(step_url(audit, "scores"), headers=HTMX))
    maya.post(step_url(audit, "scores"), scores_form(fresh(audit), [1, 1, 1, 4, 5]))
    pages += [
        maya.get(url(audit, "result")),
        maya.get(url(audit, "delete")),
        maya.get(reverse("assessments:my_ladder")),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert "<script>alert(" not in html, page.request["PATH_INFO"]
        assert "&lt;script&gt;alert(" in html, page.request["PATH_INFO"]
        assert "🚀" in html or "🧑‍💻" in html, page.request["PATH_INFO"]

    export = maya.get(reverse("accounts:export"))
    data = json.loads(export.content)
    (exported,) = data["audits"]
    assert exported["job_title"] == job_title
    assert [a["description"] for a in exported["activities"]] == texts
    assert [a["description"] for a in exported["snapshot"]["activities"]] == texts
    assert "🚀".encode() in export.content


# --- Two tabs and double clicks ------------------------------------------------------------


def test_stale_second_tab_gets_the_conflict_message_and_can_keep_its_own_version(maya, individual):
    audit = audit_at(individual, "activities")
    opened = maya.get(step_url(audit, "activities")).content.decode()
    version = form_version(opened)
    tab_one = DESCRIPTIONS[:5]
    tab_two = OTHER_DESCRIPTIONS

    first = maya.post(step_url(audit, "activities"), activities_form(version, tab_one))
    assert first.status_code == 302

    second = maya.post(step_url(audit, "activities"), activities_form(version, tab_two))
    html = second.content.decode()
    assert second.status_code == 200
    assert "This audit changed in another tab" in html
    for text in tab_one:  # the saved version is shown…
        assert text in html
    assert response_slots(second) == tab_two  # …next to what this tab typed
    assert [d for d, _, _ in saved(audit)] == tab_one
    newer = fresh(audit).version
    assert form_version(html) == newer

    again = maya.post(step_url(audit, "activities"), activities_form(form_version(html), tab_two))
    assert again.status_code == 302
    assert again["Location"] == step_url(audit, "time")
    assert [d for d, _, _ in saved(audit)] == tab_two
    assert fresh(audit).version == newer + 1


def response_slots(response) -> list[str]:
    form = response.context["form"]
    return [v for i in range(1, 11) if (v := form[f"activity_{i}"].value())]


def test_stale_second_tab_on_time_gets_the_conflict_message(maya, individual):
    audit = audit_at(individual, "time")
    first = maya.post(step_url(audit, "time"), time_form(audit, [60, 10, 10, 10, 10]))
    assert first.status_code == 302
    second = maya.post(step_url(audit, "time"), time_form(audit, [20, 20, 20, 20, 20]))
    html = second.content.decode()
    assert second.status_code == 200
    assert "This audit changed in another tab" in html
    assert f"{DESCRIPTIONS[0]}: 60%" in html
    assert [s for _, s, _ in saved(audit)] == [60, 10, 10, 10, 10]


def test_stale_second_tab_on_role_gets_the_conflict_message(maya, individual):
    audit = audit_at(individual, "role")
    maya.post(step_url(audit, "role"), {"version": audit.version, "job_title": "Tab one title"})
    second = maya.post(step_url(audit, "role"), {"version": audit.version, "job_title": "Tab two"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "This audit changed in another tab" in html
    assert "Saved job title: <strong>Tab one title</strong>" in html
    assert fresh(audit).job_title == "Tab one title"


def test_double_clicked_activities_save_once_and_both_move_on(maya, individual):
    audit = audit_at(individual, "activities")
    data = activities_form(audit.version, DESCRIPTIONS[:5])
    first = maya.post(step_url(audit, "activities"), data)
    second = maya.post(step_url(audit, "activities"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == step_url(audit, "time")
    assert [d for d, _, _ in saved(audit)] == DESCRIPTIONS[:5]
    assert Activity.objects.filter(audit=audit).count() == 5
    assert fresh(audit).version == audit.version + 1


def test_double_clicked_time_saves_once_and_both_move_on(maya, individual):
    audit = audit_at(individual, "time")
    data = time_form(audit, [40, 30, 10, 10, 10])
    first = maya.post(step_url(audit, "time"), data)
    second = maya.post(step_url(audit, "time"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == step_url(audit, "scores")
    assert [s for _, s, _ in saved(audit)] == [40, 30, 10, 10, 10]
    assert fresh(audit).version == audit.version + 1


def test_double_clicked_scores_write_one_snapshot_and_both_go_to_the_result(maya, individual):
    audit = audit_at(individual, "scores")
    data = scores_form(audit, [1, 2, 3, 4, 5])
    first = maya.post(step_url(audit, "scores"), data)
    second = maya.post(step_url(audit, "scores"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url(audit, "result")
    assert RungSnapshot.objects.filter(audit=audit).count() == 1


# --- Query counts do not grow with the number of activities -------------------------------

# The scores step, first opened: its 4, then matching the activities to O*NET tasks (map
# the matches to rows, save them) and reading the tasks to show: 3 more, whatever the count.
GET_QUERIES = {"role": 3, "activities": 5, "time": 4, "scores": 7}


@pytest.mark.parametrize("count", [5, 10])
@pytest.mark.parametrize("step", ["role", "activities", "time", "scores"])
def test_query_count_of_each_step_does_not_grow_with_activities(
    maya, individual, django_assert_num_queries, step, count
):
    audit = audit_at(individual, "scores", count)
    with django_assert_num_queries(GET_QUERIES[step]):
        response = maya.get(step_url(audit, step))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 10])
def test_query_count_of_saving_time_does_not_grow_with_activities(
    maya, individual, django_assert_num_queries, count
):
    audit = audit_at(individual, "time", count)
    data = time_form(audit, shares_for(count))
    with django_assert_num_queries(8):
        response = maya.post(step_url(audit, "time"), data)
    assert response.status_code == 302


@pytest.mark.parametrize("count", [5, 10])
def test_query_count_of_saving_scores_does_not_grow_with_activities(
    maya, individual, django_assert_num_queries, count
):
    audit = audit_at(individual, "scores", count)
    data = scores_form(audit, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5][:count])
    library.scenarios()  # the runway model's data, read once per process
    maya.get(step_url(audit, "scores"))  # as a person would: matches the activities
    with django_assert_num_queries(18):  # 17, and the tasks offered beside the activities
        response = maya.post(step_url(audit, "scores"), data)
    assert response.status_code == 302
    assert RungSnapshot.objects.filter(audit=audit).count() == 1


def test_a_double_clicked_start_makes_one_draft(maya, individual):
    first = maya.post(reverse("assessments:start"))
    second = maya.post(reverse("assessments:start"))
    assert first["Location"] == second["Location"]
    assert Audit.objects.filter(owner=individual).count() == 1


def test_starting_again_later_makes_a_new_draft(maya, individual):
    maya.post(reverse("assessments:start"))
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        maya.post(reverse("assessments:start"))
    assert Audit.objects.filter(owner=individual).count() == 2


def test_a_page_out_of_date_says_so(maya, individual):
    audit = audit_at(individual, "role")
    html = maya.post(
        step_url(audit, "role"), {"version": "abc", "job_title": "Dev"}
    ).content.decode()
    assert "This page is out of date" in html
    assert fresh(audit).job_title != "Dev"
