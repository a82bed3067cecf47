"""`manage.py match_activities`, the stable interface to the activity matcher: one
phrase per line in, one JSON object per line out, in order, whatever the input."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from assessments.models import TaskStatement

pytestmark = pytest.mark.django_db

SOFTWARE_DEVELOPERS = "15-1252.00"


def match(lines: list[str], **options: Any) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("match_activities", stdin=StringIO("\n".join(lines) + "\n"), stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_json_object_per_phrase_in_order_best_first():
    phrases = ["fixing bugs customers reported in the app", "teaching a class of ten-year-olds"]
    answers = match(phrases, occupation=SOFTWARE_DEVELOPERS, top=5)
    assert [a["phrase"] for a in answers] == phrases
    for answer in answers:
        assert set(answer) == {"phrase", "no_match", "matches"}
        assert 1 <= len(answer["matches"]) <= 5
        similarities = [m["similarity"] for m in answer["matches"]]
        assert similarities == sorted(similarities, reverse=True)
        for found in answer["matches"]:
            assert set(found) == {
                "task_id",
                "onet_soc_code",
                "task",
                "similarity",
                "suggested_score",
            }
            task = TaskStatement.objects.get(
                task_id=found["task_id"], occupation__code=found["onet_soc_code"]
            )
            assert found["task"] == task.text
            expected = float(task.suggested_score) if task.suggested_score is not None else None
            assert found["suggested_score"] == expected


def test_scope_occupation_ranks_only_that_occupations_tasks():
    [answer] = match(
        ["debugging the payment service"], occupation=SOFTWARE_DEVELOPERS, scope="occupation"
    )
    assert answer["matches"]
    assert {m["onet_soc_code"] for m in answer["matches"]} == {SOFTWARE_DEVELOPERS}


def test_the_occupation_is_a_prior_across_all_tasks():
    def mine(answer: dict[str, Any]) -> int:
        return sum(m["onet_soc_code"] == SOFTWARE_DEVELOPERS for m in answer["matches"])

    phrases = ["code review of pull requests", "planning the next release with the team"]
    with_prior = match(phrases, occupation=SOFTWARE_DEVELOPERS)
    without = match(phrases)
    assert mine(with_prior[0]) > mine(without[0])
    assert mine(with_prior[1]) >= mine(without[1])


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "meetings",
        "x" * 300,
        "🎉🎉🎉",
        "Besprechungen mit dem Team über die Planung",
        "<script>alert(1)</script>",
        "'; DROP TABLE assessments_taskstatement; --",
    ],
)
def test_any_input_gets_an_answer_never_an_error(phrase: str):
    [answer] = match([phrase], occupation=SOFTWARE_DEVELOPERS)
    assert answer["phrase"] == phrase
    assert isinstance(answer["no_match"], bool)
    assert answer["no_match"] or answer["matches"]


def test_empty_and_emoji_phrases_say_no_close_task():
    answers = match(["", "🎉🎉🎉"])
    assert [a["no_match"] for a in answers] == [True, True]
    assert [a["matches"] for a in answers] == [[], []]


def test_an_unknown_occupation_is_no_occupation():
    [unknown] = match(["preparing the monthly payroll"], occupation="99-9999.99", top=3)
    [none] = match(["preparing the monthly payroll"], top=3)
    assert unknown["matches"] == none["matches"]


def test_a_library_never_loaded_gives_no_matches_and_a_log_line(caplog):
    TaskStatement.objects.all().delete()
    [answer] = match(["fixing bugs customers reported in the app"])
    assert answer == {
        "phrase": "fixing bugs customers reported in the app",
        "no_match": True,
        "matches": [],
    }
    assert "load_reference" in caplog.text
