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
