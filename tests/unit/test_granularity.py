"""Activity descriptions: job titles and vague lines are caught, real activities pass."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.method.granularity import GranularityFinding, check_granularity

ONET_TITLES = (
    "Lawyers",
    "Software Developers",
    "Real Estate Sales Agents",
    "Chief Sustainability Officers",
    "Sales Representatives, Wholesale and Manufacturing, Except Technical and Scientific Products",
    "Title Examiners, Abstractors, and Searchers",
)
GENERAL_EXAMPLE = "Preparing the monthly sales report for the leadership team"


@pytest.mark.parametrize(
    "description",
    [
        "Reviewing boilerplate contracts",
        "Negotiating with a hostile counterparty",
        "Writing unit tests",
        "Debugging production incidents",
        "Coaching junior developers",
        "Preparing the monthly sales report for the leadership team",
        "Handling escalated complaints from key accounts",
        "Supporting clients through insurance claims",
        "Answering tenant questions about the lease",
        "Managing the relationship with our largest customer",
        "Working with the architect on client briefs",
        "Leading deal negotiations for mid-market acquisitions",
        "Attending site visits with prospective buyers",
    ],
)
def test_specific_activities_pass(description):
    assert check_granularity(description, ONET_TITLES) is None


@pytest.mark.parametrize(
    "description",
    [
        "attorney",
        "Attorney",
        "  LAWYER. ",
        "lawyers",
        "Software developer",
        "software engineers",
        "programmer",
        "coder",
        "engineer",
        "manager",
        "Project Manager",
        "consultant",
        "realtor",
        "agent",
        "therapist",
        "accountant",
        "analyst",
        "designer",
        "teacher",
        "nurse",
        "doctor",
        "sales",
        "marketing",
        "an attorney",
        "The manager",
        "I am a lawyer",
        "I'm a developer",
        "I work as a consultant",
        "Working as an accountant",
        "I'm a senior software developer",
        "Mid-level developer",
    ],
)
def test_job_titles_are_flagged(description):
    finding = check_granularity(description)
    assert finding is not None
    assert finding.reason == "job_title"
    assert "job title" in finding.message


@pytest.mark.parametrize(
    "description",
    [
        "Real estate sales agents",
        "Real Estate Sales Agent",
        "I am a real estate sales agent",
        "Chief sustainability officer",
        "Sales representatives",
        "Title Examiners, Abstractors, and Searchers",
    ],
)
def test_onet_titles_are_flagged_when_given(description):
    finding = check_granularity(description, ONET_TITLES)
    assert finding is not None
    assert finding.reason == "job_title"


def test_onet_titles_unknown_to_the_builtin_list_need_the_titles():
    assert check_granularity("Chief sustainability officer") is None
    assert check_granularity("Chief sustainability officer", ONET_TITLES) is not None


@pytest.mark.parametrize(
    ("description", "examples"),
    [
        (
            "Attorney",
            (
                "Reviewing standard supplier contracts for risky clauses",
                "Negotiating deal terms with the other side's counsel",
            ),
        ),
        ("I'm a lawyer", ("Reviewing standard supplier contracts for risky clauses",)),
        (
            "developer",
            (
                "Writing unit tests for existing features",
                "Agreeing requirements with the product owner",
            ),
        ),
        ("Senior software engineer", ("Writing unit tests for existing features",)),
    ],
)
def test_known_job_titles_get_examples_from_that_role(description, examples):
    finding = check_granularity(description)
    for example in examples:
        assert example in finding.suggestion
    assert GENERAL_EXAMPLE not in finding.suggestion


def test_titles_only_onet_knows_get_the_general_pattern():
    finding = check_granularity("Real estate sales agents", ONET_TITLES)
    assert finding.suggestion.startswith("Try verb + object + for whom")
    assert GENERAL_EXAMPLE in finding.suggestion


@pytest.mark.parametrize(
    "description",
    ["", "   ", "\n\t", "Reviewing", "contract review", "Meetings", "a report", "🚀🚀🚀", "?!"],
)
def test_one_or_two_words_are_too_short(description):
    finding = check_granularity(description)
    assert finding is not None
    assert finding.reason == "too_short"
    assert GENERAL_EXAMPLE in finding.suggestion


@pytest.mark.parametrize(
    "description",
    [
        "do my job",
        "Doing my job",
        "handle various tasks",
        "manage things",
        "work on stuff",
        "attend meetings",
        "Attending team meetings",
        "answer emails",
        "support the team",
        "help out",
        "Dealing with other stuff etc.",
        "I manage everything",
        "Handling day-to-day admin",
        "processing misc requests as needed",
    ],
)
def test_generic_verbs_without_a_real_object_are_vague(description):
    finding = check_granularity(description)
    assert finding is not None
    assert finding.reason == "vague"
    assert "too general" in finding.message
    assert GENERAL_EXAMPLE in finding.suggestion


@pytest.mark.parametrize(
    "description",
    [
        "<script>alert('x')</script>",
        "<script>",
        "Reviewing contracts 📄✍️ for the 🏠 team",
        "'; DROP TABLE activities; --",
        "\x00\x1f control characters here",
        "Ω≈ç√∫ unicode ñ words",
        "x" * 10_000,
    ],
)
def test_hostile_input_is_just_text(description):
    finding = check_granularity(description, ONET_TITLES)
    assert finding is None or isinstance(finding, GranularityFinding)


def test_messages_never_echo_the_input():
    finding = check_granularity("<script>")
    assert "<" not in finding.message + finding.suggestion


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_without_crashing(description):
    finding = check_granularity(description, ONET_TITLES)
    if finding is not None:
        assert finding.reason in {"job_title", "too_short", "vague"}
        assert finding.message
        assert finding.suggestion
