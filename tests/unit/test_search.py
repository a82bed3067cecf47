from dataclasses import dataclass

from ladder.method import search


@dataclass
class Job:
    title: str
    employment: int | None = None


JOBS = [
    Job("Lawyers", 600),
    Job("Judicial Law Clerks", 10),
    Job("Software Developers", 1300),
    Job("Software Quality Assurance Analysts and Testers", 200),
    Job("Computer Programmers", 150),
    Job("Real Estate Brokers", 50),
    Job("Real Estate Sales Agents", 170),
    Job("Registered Nurses", 3000),
]


def titles(query: str) -> list[str]:
    return [j.title for j in search.rank(search.parse(query), JOBS)]


def test_normalise_folds_case_accents_and_punctuation():
    assert search.normalise("  Café—Owner/Manager!! ") == "cafe owner manager"


def test_every_word_must_match_something():
    assert titles("software developer") == ["Software Developers"]
    assert titles("software") == [
        "Software Developers",
        "Software Quality Assurance Analysts and Testers",
    ]


def test_word_prefixes_match():
    assert titles("soft dev") == ["Software Developers"]
    assert titles("nurs") == ["Registered Nurses"]


def test_everyday_names_find_the_official_titles():
    assert titles("realtor") == ["Real Estate Sales Agents", "Real Estate Brokers"]
    assert titles("attorney") == ["Lawyers"]
    assert titles("coder")[:2] == ["Software Developers", "Computer Programmers"]


def test_synonyms_keep_the_rest_of_the_query():
    assert "Registered Nurses" not in titles("realtor nurse")


def test_whole_words_beat_prefixes_and_short_titles_beat_long_ones():
    assert titles("law") == ["Judicial Law Clerks", "Lawyers"]
    assert titles("real estate")[0] == "Real Estate Brokers"


def test_empty_and_stop_word_queries_are_empty():
    assert search.parse("").is_empty
    assert search.parse("  the of a ").is_empty
    assert titles("") == []


def test_search_terms_cover_the_words_and_their_synonyms():
    terms = search.search_terms(search.parse("realtor"))
    assert {"realtor", "real", "estate", "sale", "agent", "broker"} <= set(terms)


def test_hostile_and_huge_input_is_harmless():
    assert titles("<script>alert(1)</script>") == []
    assert search.parse("lawyer " * 10_000).words  # truncated, not rejected
    assert titles("🧑‍💻 developer") == ["Software Developers"]


def test_a_word_typed_as_one_matches_two_title_words():
    query = search.parse("frontend")
    assert search.score(query, "Front End Web Developer") > 0
    assert search.score(search.parse("healthcare"), "Health Care Social Workers") > 0
    assert search.score(query, "Front Desk Clerks") == 0


def test_other_titles_find_an_occupation_and_say_which_matched():
    query = search.parse("devops engineer")
    ranked = search.rank_with_titles(
        query,
        [
            (Job("Software Developers", 1_000), ["DevOps Engineer", "Application Developer"]),
            (Job("Civil Engineers", 5_000), []),
        ],
    )
    assert ranked == [(Job("Software Developers", 1_000), "DevOps Engineer")]


def test_an_exact_other_title_beats_a_partial_one_but_own_words_are_not_repeated():
    query = search.parse("copywriter")
    ranked = search.rank_with_titles(
        query,
        [
            (Job("Editors", 9_000), ["Copywriter Editor"]),
            (Job("Writers and Authors", 1_000), ["Copywriter"]),
        ],
    )
    assert [job.title for job, _ in ranked] == ["Writers and Authors", "Editors"]
    # The occupation's own title holds the typed words: no "also called" needed.
    [(_, matched)] = search.rank_with_titles(
        search.parse("nurse"), [(Job("Registered Nurses", 1), ["Nurse"])]
    )
    assert matched is None
