"""Evidence for the person's own words: each activity matched to the O*NET tasks it
resembles (computed once per wording, on our server), "this is what I do" or "none of
these" saved with the activity, a second opinion when the score and the data are far
apart, and the evidence on the result, in the export and in a reassessment."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessments.audits import services
from assessments.models import Activity, Audit, TaskStatement
from tests.factories import audit_at, fresh, linked, make_person, ordered, scores_form, step_url

pytestmark = pytest.mark.django_db


def scores_page(browser: Client, audit: Audit) -> str:
    response = browser.get(step_url(audit, "scores"))
    assert response.status_code == 200
    return response.text


def test_each_activity_gets_tasks_like_it_own_occupation_first_in_words(maya, individual):
    audit = audit_at(individual, "scores")
    html = scores_page(maya, audit)
    assert html.count("Tasks like this in the data") == 5
    first = ordered(audit)[0]
    assert first.matched_text == first.description
    assert first.matches, "a developer's 'writing unit tests' has tasks like it"
    tasks = TaskStatement.objects.select_related("occupation").in_bulk(
        [m["task"] for m in first.matches]
    )
    shown = [tasks[m["task"]] for m in first.matches]
    own = [t.occupation.code == "15-1252.00" for t in shown]
    assert own == sorted(own, reverse=True), "the person's own occupation comes first"
    assert shown[0].text in html
    # The evidence in words, never bare codes.
    assert "suggested score" in html
    assert ">E2<" not in html
    assert ">E1<" not in html
    assert "None of these" in html
    assert "matched to your words on our server (nothing is sent anywhere)" in html


def test_matches_are_computed_once_per_wording_and_again_when_it_changes(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    Activity.objects.filter(pk=first.pk).update(matches=[{"task": 1, "similarity": 0.9}])
    scores_page(maya, audit)  # same words: the stored matches stand
    assert Activity.objects.get(pk=first.pk).matches == [{"task": 1, "similarity": 0.9}]
    Activity.objects.filter(pk=first.pk).update(description="Calming anxious families")
    scores_page(maya, audit)  # new words: matched again
    again = Activity.objects.get(pk=first.pk)
    assert again.matched_text == "Calming anxious families"
    assert again.matches != [{"task": 1, "similarity": 0.9}]


def submit(browser: Client, audit: Audit, scores: list[int], **extra: str) -> None:
    data = scores_form(fresh(audit), scores) | extra
    response = browser.post(step_url(audit, "scores"), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_this_is_what_i_do_and_none_of_these_are_saved_with_the_activity(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first, second, third = ordered(audit)[:3]
    chosen = first.matches[0]["task"]
    submit(
        maya,
        audit,
        [1, 1, 2, 4, 5],
        **{f"match_{first.pk}": str(chosen), f"match_{second.pk}": "none"},
    )
    first, second, third = ordered(audit)[:3]
    assert (first.task_id, first.no_task) == (chosen, False)
    assert (second.task_id, second.no_task) == (None, True)
    assert (third.task_id, third.no_task) == (None, False)  # no choice: nothing linked


def test_a_task_not_offered_cannot_be_linked(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    stranger = TaskStatement.objects.exclude(pk__in=[m["task"] for m in first.matches]).first()
    assert stranger is not None
    data = scores_form(fresh(audit), [1, 1, 2, 4, 5]) | {f"match_{first.pk}": str(stranger.pk)}
    response = maya.post(step_url(audit, "scores"), data)
    assert response.status_code == 200  # the step again, nothing saved
    assert Activity.objects.get(pk=first.pk).task_id is None
    # Saying why, in the summary and at the activity.
    assert response.text.count("The tasks offered here have changed") == 2


def test_a_second_opinion_when_the_score_and_the_data_are_far_apart(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    task = TaskStatement.objects.get(pk=first.matches[0]["task"])
    TaskStatement.objects.filter(pk=task.pk).update(suggested_score=1)
    # Scored 5 against the data's 1, and another activity left unscored: the step
    # comes back with the note at that activity.
    data = scores_form(fresh(audit), [5, 1, 2, 4, 5]) | {f"match_{first.pk}": str(task.pk)}
    del data[f"score_{ordered(audit)[1].pk}"]
    html = maya.post(step_url(audit, "scores"), data).text
    assert f'id="second-opinion-{first.pk}"' in html
    assert "A second opinion." in html
    assert "Your score stands either way." in html
    # It never blocks: the same scores, all given, complete the audit.
    submit(maya, audit, [5, 1, 2, 4, 5], **{f"match_{first.pk}": str(task.pk)})
    assert fresh(audit).status == Audit.Status.COMPLETE
    assert Activity.objects.get(pk=first.pk).score == 5


def test_the_result_and_the_export_carry_each_activitys_evidence(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first, second = ordered(audit)[:2]
    task = TaskStatement.objects.select_related("occupation").get(pk=first.matches[0]["task"])
    submit(
        maya,
        audit,
        [1, 1, 2, 4, 5],
        **{f"match_{first.pk}": str(task.pk), f"match_{second.pk}": "none"},
    )
    row = next(a for a in fresh(audit).snapshot.activities if a["description"] == first.description)
    assert row["task"]["task_id"] == task.task_id
    assert row["task"]["onet_soc_code"] == task.occupation.code
    result = maya.get(reverse("assessments:result", args=[audit.code])).text
    assert f"Like “{task.text[:60]}" in result
    assert "No close task in the data: your own judgement." in result
    exported = json.dumps(maya.get(reverse("accounts:export")).json())
    assert task.text[:60] in exported


def test_a_reassessment_keeps_the_links_and_matches(maya, individual: User):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    submit(maya, audit, [1, 1, 2, 4, 5], **{f"match_{first.pk}": str(first.matches[0]["task"])})
    again = services.reassessment_start(owner=individual, previous=fresh(audit))
    copy = ordered(again)[0]
    assert (copy.task_id, copy.matches, copy.matched_text) == (
        first.matches[0]["task"],
        first.matches,
        first.description,
    )


def test_a_coach_sees_the_same_evidence_on_the_clients_result(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    task = TaskStatement.objects.get(pk=first.matches[0]["task"])
    submit(maya, audit, [1, 1, 2, 4, 5], **{f"match_{first.pk}": str(task.pk)})
    coach = make_person("grace@example.com", "Grace Lindqvist")
    link = linked(coach, individual)
    browser = Client()
    browser.force_login(coach)
    page = browser.get(reverse("coach:client_audit", args=[link.code, audit.code])).text
    assert f"Like “{task.text[:60]}" in page


def test_a_matcher_that_fails_leaves_the_step_working_and_tries_again(
    maya, individual, monkeypatch, caplog
):
    from assessments.library import services as library

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index unavailable")

    audit = audit_at(individual, "scores")
    monkeypatch.setattr(library, "match_keys", broken)
    html = scores_page(maya, audit)
    assert "Tasks like this in the data" not in html
    assert "The activity matcher failed" in caplog.text
    assert ordered(audit)[0].matched_text == ""  # not stored as "no match"
    monkeypatch.undo()
    assert "Tasks like this in the data" in scores_page(maya, audit)


def test_with_htmx_the_second_opinion_appears_as_the_score_is_chosen(maya, individual):
    audit = audit_at(individual, "scores")
    scores_page(maya, audit)
    first = ordered(audit)[0]
    task = TaskStatement.objects.get(pk=first.matches[0]["task"])
    TaskStatement.objects.filter(pk=task.pk).update(suggested_score=1)
    data = scores_form(fresh(audit), [5, 1, 2, 4, 5]) | {
        f"match_{first.pk}": str(task.pk),
        "opinion": str(first.pk),
    }
    note = maya.post(step_url(audit, "scores"), data, headers={"HX-Request": "true"})
    assert note.status_code == 200
    assert "A second opinion." in note.text
    assert "<html" not in note.text
    assert fresh(audit).status == Audit.Status.DRAFT  # a preview saves nothing
    close = data | {f"score_{first.pk}": "2"}
    assert "A second opinion." not in maya.post(step_url(audit, "scores"), close).text
