"""The benchmarks search, occupation pages and the two "how it's made" pages."""

import re
from dataclasses import replace

import pytest

from assessments.library import services as library

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return re.findall(r'href="/benchmarks/[0-9.-]+/">([^<]+)</a>', response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("software developer", "Software Developers"),
        ("software dev", "Software Developers"),
        ("Software Developers", "Software Developers"),
        ("lawyer", "Lawyers"),
        ("attorney", "Lawyers"),
        ("realtor", "Real Estate Sales Agents"),
        ("estate agent", "Real Estate Sales Agents"),
        ("financial advisor", "Personal Financial Advisors"),
        ("financial adviser", "Personal Financial Advisors"),
        ("programmer", "Computer Programmers"),
        ("accountant", "Accountants and Auditors"),
        ("paralegal", "Paralegals and Legal Assistants"),
        ("architect", "Architects, Except Landscape and Naval"),
        ("registered nurse", "Registered Nurses"),
    ],
)
def test_search_finds_what_people_mean(client, query, expected_first):
    assert titles(client.get("/benchmarks/", {"q": query}))[0] == expected_first


def test_software_developer_shows_rung_2_1(client):
    html = client.get("/benchmarks/?q=software+developer").content.decode()
    row = html.split('href="/benchmarks/15-1252.00/">Software Developers</a>', 1)[1].split(
        "</tr>", 1
    )[0]
    assert '<td class="num">2.1</td>' in row
    assert '<td class="num">87%</td>' in row


def test_coder_finds_developers_and_programmers_and_medical_coders_by_their_title(client):
    response = client.get("/benchmarks/?q=coder")
    found = titles(response)
    assert found[0] == "Software Developers"
    assert {"Computer Programmers", "Medical Records Specialists"} <= set(found[:3])
    assert "also called “Coder”" in response.text  # why medical records are listed


@pytest.mark.parametrize(
    ("query", "expected_first", "called"),
    [
        ("frontend developer", "Web Developers", "Front End Web Developer"),
        ("devops engineer", "Software Developers", "DevOps Engineer"),
        ("copywriter", "Writers and Authors", "Copywriter"),
        ("CPA", "Accountants and Auditors", "Certified Public Accountant (CPA)"),
        ("RN", "Registered Nurses", "Registered Nurse (RN)"),
        ("product manager", "Marketing Managers", "Product Manager"),
    ],
)
def test_search_finds_the_titles_people_use(client, query, expected_first, called):
    response = client.get("/benchmarks/", {"q": query})
    assert titles(response)[0] == expected_first
    assert f"also called “{called}" in response.text


def test_a_title_of_several_occupations_lists_each_with_that_title(client):
    response = client.get("/benchmarks/", {"q": "realtor"})
    assert titles(response)[:2] == ["Real Estate Sales Agents", "Real Estate Brokers"]
    assert response.text.count("also called “Realtor”") == 2


def test_the_role_step_offers_occupations_by_the_titles_people_use(client):
    options = client.get("/audit/occupations/", {"q": "devops engineer"}).text
    assert "Software Developers" in options
    assert "DevOps Engineer" in options


def test_therapist_finds_counselling_and_therapy_occupations(client):
    found = titles(client.get("/benchmarks/?q=therapist"))
    for title in [
        "Marriage and Family Therapists",
        "Mental Health Counselors",
        "Physical Therapists",
        "Occupational Therapists",
        "Clinical and Counseling Psychologists",
    ]:
        assert title in found
    assert "Credit Counselors" not in found


def test_partial_words_match_the_start_of_title_words(client):
    assert "Registered Nurses" in titles(client.get("/benchmarks/?q=nurs"))
    assert "Chief Executives" in titles(client.get("/benchmarks/?q=chief+exec"))


def test_empty_query_invites_a_search(client):
    html = client.get("/benchmarks/").content.decode()
    assert "Search for an occupation" in html
    assert 'href="?q=realtor"' in html


def test_nonsense_query_says_so_kindly(client):
    html = client.get("/benchmarks/?q=xqzzyv").content.decode()
    assert "No occupations match “xqzzyv”" in html
    assert "your own audit works without a benchmark" in html


def test_a_pasted_novel_gets_a_message_not_an_error(client):
    response = client.get("/benchmarks/", {"q": "lawyer " * 100})
    assert response.status_code == 200
    assert "Keep it under 100 characters" in response.content.decode()


def test_hostile_query_is_escaped(client):
    html = client.get("/benchmarks/", {"q": "<script>alert(1)</script> 🧑‍💻"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 🧑‍💻" in html


def test_largely_physical_occupations_are_marked(client):
    html = client.get("/benchmarks/?q=plumber").content.decode()
    row = html.split(">Plumbers, Pipefitters, and Steamfitters</a>", 1)[1].split("</td>", 1)[0]
    assert "Physical work" in row


def test_sort_by_rung_both_ways(client):
    def rungs(sort):
        html = client.get("/benchmarks/", {"q": "therapist", "sort": sort}).content.decode()
        return [float(r) for r in re.findall(r'<td class="num">(\d\.\d)</td>', html)]

    ascending, descending = rungs("rung"), rungs("-rung")
    assert ascending == sorted(ascending)
    assert len(ascending) > 5
    assert descending == sorted(descending, reverse=True)
    assert set(ascending) == set(descending)


def test_sort_by_exposure(client):
    html = client.get("/benchmarks/", {"q": "analyst", "sort": "-exposure"}).content.decode()
    exposures = [int(e) for e in re.findall(r'<td class="num">(\d+)%</td>', html)]
    assert exposures == sorted(exposures, reverse=True)
    assert len(exposures) > 3


def test_unknown_sort_falls_back_to_best_match(client):
    response = client.get("/benchmarks/", {"q": "lawyer", "sort": "drop table"})
    assert titles(response) == ["Lawyers"]


def test_htmx_type_ahead_gets_only_the_results_fragment(client):
    full = client.get("/benchmarks/?q=lawyer")
    fragment = client.get(
        "/benchmarks/?q=lawyer", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in fragment.content.decode()
    assert titles(fragment) == titles(full) == ["Lawyers"]
    assert len(fragment.content) < len(full.content) / 3
    assert "HX-Request" in fragment["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(
        "/benchmarks/?q=lawyer",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_search_form_works_without_javascript(client):
    html = client.get("/benchmarks/").content.decode()
    assert '<form method="get" action="/benchmarks/"' in html
    assert 'hx-get="/benchmarks/"' in html


@pytest.mark.parametrize("query", ["lawyer", "de", "therapist"])
def test_search_is_one_query_whatever_the_result_size(client, django_assert_num_queries, query):
    library.title_index()  # the titles people use, read once per process
    with django_assert_num_queries(1):
        client.get("/benchmarks/", {"q": query})


def test_occupation_page_places_it_on_the_ladder(client, django_assert_num_queries):
    library.scenarios()  # computed once per process
    library.source_distributions()
    with django_assert_num_queries(2):  # the occupation, its tasks
        response = client.get("/benchmarks/15-1252.00/")
    html = response.content.decode()
    assert "<h1>Software Developers</h1>" in html
    assert '<svg viewBox="0 0 640 380" role="img"' in html
    assert "Software Developers: rung 2.1." in html  # the chart's text alternative
    assert "The method's examples" in html
    assert "coders, architects, contract attorneys: rungs 1–2" in html
    assert "AI frontier today" in html
    assert "A document-centred occupation." in html
    assert "Your own activity audit is what counts." in html
    tasks_table = html.split('id="tasks-heading"', 1)[1]
    assert tasks_table.count("<tr>") - 1 == 19  # every task statement
    assert "Consult with customers or other departments" in html


def test_occupation_page_query_count_does_not_grow_with_tasks(client, django_assert_num_queries):
    library.scenarios()
    library.source_distributions()
    for code in ["23-1011.00", "53-3032.00"]:  # 22 and few tasks
        with django_assert_num_queries(2):
            client.get(f"/benchmarks/{code}/")


def test_lawyers_page_explains_the_disagreement_with_the_folk_claim(client):
    html = client.get("/benchmarks/23-1011.00/").content.decode()
    assert "The data and the folk view disagree here." in html
    assert "place lawyers at 4.3" in html


def test_physical_occupation_gets_the_physical_caveat(client):
    html = client.get("/benchmarks/47-2152.00/").content.decode()
    assert "Largely physical work." in html


def test_unknown_occupation_is_404(client):
    assert client.get("/benchmarks/00-0000.00/").status_code == 404


def test_about_data_shows_the_computed_correlation_and_attributions(client):
    library.clear_derived()
    html = client.get("/about/data/").content.decode()
    assert "ρ = -0.54" in html
    assert "n = 464" in html
    assert "O*NET® is a trademark of USDOL/ETA" in html
    assert "CC BY 4.0" in html
    assert "GPTs are GPTs" in html
    assert "Working with AI" in html
    assert "Measuring AI Ability to Complete Long Tasks" in html
    assert "Occupational Employment and Wage Statistics" in html
    assert "Anthropic Economic Index" in html
    assert "O*NET 29.0 Task Ratings" in html
    assert "alternate_titles.csv" in html


def test_about_runway_shows_fitted_speeds_and_every_assumption(client):
    from ladder.method import runway

    html = client.get("/about/runway/").content.decode()
    for days in ("197 days", "131 days", "97 days"):
        assert days in html
    for assumption in runway.ASSUMPTIONS:
        assert assumption.replace("'", "&#x27;") in html


def test_the_occupation_page_sets_three_sources_side_by_side(client):
    html = client.get("/benchmarks/15-1252.00/").text
    section = html.split('id="sources-heading"', 1)[1].split("</section>", 1)[0]
    for name, year in [
        ("Capability on paper", "2024"),
        ("Observed use", "2026"),
        ("Applicability in practice", "2025"),
    ]:
        assert name in section
        assert year in section
    assert section.count("higher than") >= 3  # each placed among occupations


def test_where_the_sources_disagree_one_sentence_says_so():
    """An occupation is placed by each source among all occupations; a gap of 40
    percentile points or more between the highest and lowest is called out."""
    sources = [
        library.Source("gpt4_exposure", "Capability on paper", "", 2024, "", 0.9, 0.95),
        library.Source("observed_exposure", "Observed use", "", 2026, "", 0.01, 0.30),
        library.Source("ai_applicability", "Applicability", "", 2025, "", 0.2, 0.60),
    ]
    high, low = library.disagreement(sources) or (None, None)
    assert (high.field, low.field) == ("gpt4_exposure", "observed_exposure")
    close = [replace(s, percentile=0.5 + i / 10) for i, s in enumerate(sources)]
    assert library.disagreement(close) is None
    uncovered = [replace(s, value=None, percentile=None) for s in sources[1:]]
    assert library.disagreement([sources[0], *uncovered]) is None


def test_an_occupation_whose_sources_disagree_says_so_in_a_sentence(client):
    actors = client.get("/benchmarks/27-2011.00/").text  # used more than rated exposed
    assert "The sources disagree here." in actors
    assert "People already use AI for more of this work" in actors
    developers = client.get("/benchmarks/15-1252.00/").text  # high on all three
    assert "The sources disagree here." not in developers
