"""The activity matcher: bad input never raises, junk doesn't match, results repeat."""

from __future__ import annotations

from pathlib import Path

import pytest

from ladder.method.matching import Index, Result, expansions, index_for, stem, terms, words

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
SOFTWARE_DEVELOPERS = "15-1252.00"


@pytest.fixture(scope="module")
def index() -> Index:
    return index_for(REFERENCE)


def task_text(index: Index, task_id: int) -> str:
    return index.texts[index.task_ids.index(task_id)]


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "   ",
        "meetings",
        "x" * 500,
        "word " * 60,
        "🙂🚀🔥",
        "préparer les déclarations fiscales des clients",
        "调试代码",
        "<script>alert('x')</script>",
        "'; DROP TABLE tasks; --",
        "1:1",
        "&&&",
    ],
)
def test_bad_input_returns_a_result(index, phrase):
    for scope in ("all", "occupation"):
        result = index.match(phrase, occupation=SOFTWARE_DEVELOPERS, scope=scope)
        assert isinstance(result, Result)
        assert len(result.phrase) <= 200
        assert all(0.0 <= m.similarity <= 1.0 for m in result.matches)
        assert result.no_match or result.matches


def test_empty_and_emoji_say_no_match(index):
    assert index.match("").no_match
    assert index.match("🙂🚀🔥").no_match


def test_boilerplate_code_does_not_match_boilers(index):
    result = index.match("writing boilerplate code", occupation=SOFTWARE_DEVELOPERS)
    for m in result.matches[:10]:
        assert "boiler" not in task_text(index, m.task_id).lower()


def test_boilerplate_and_boilers_are_different_stems():
    assert stem("boilerplate") != stem("boilers")
    assert "boiler" not in terms("boilerplate")


def test_a_plain_activity_finds_its_task(index):
    result = index.match("prepare tax returns for clients")
    assert not result.no_match
    assert "tax" in task_text(index, result.matches[0].task_id).lower()


def test_same_result_every_time(index):
    phrases = ["debugging flaky CI tests", "calming anxious families", "month-end close"]
    for phrase in phrases:
        first = index.match(phrase, occupation="13-2011.00")
        assert all(index.match(phrase, occupation="13-2011.00") == first for _ in range(3))


def test_results_are_best_first_and_top_is_respected(index):
    result = index.match("reviewing contracts for clients", top=5)
    assert len(result.matches) <= 5
    similarities = [m.similarity for m in result.matches]
    assert similarities == sorted(similarities, reverse=True)


def test_scope_occupation_returns_only_that_occupation(index):
    for phrase in ("fixing bugs in the app", "talking to patients", "cold calling"):
        result = index.match(phrase, occupation=SOFTWARE_DEVELOPERS, scope="occupation")
        assert result.matches
        assert {m.onet_soc_code for m in result.matches} == {SOFTWARE_DEVELOPERS}


def test_scope_all_reaches_other_occupations(index):
    result = index.match("giving flu vaccinations", occupation=SOFTWARE_DEVELOPERS, top=10)
    assert any(m.onet_soc_code != SOFTWARE_DEVELOPERS for m in result.matches)


def test_the_occupation_is_a_prior(index):
    phrase = "meeting with clients to discuss their needs"

    def first_lawyer_task(result: Result) -> int:
        codes = [m.onet_soc_code for m in result.matches]
        return codes.index("23-1011.00") if "23-1011.00" in codes else len(codes)

    plain = index.match(phrase, top=200)
    lawyers = index.match(phrase, occupation="23-1011.00", top=200)
    assert first_lawyer_task(lawyers) < first_lawyer_task(plain)


def test_unknown_occupation_behaves_like_none(index):
    phrase = "writing unit tests for the payment service"
    none = index.match(phrase)
    assert index.match(phrase, occupation="99-9999.99") == none
    assert index.match(phrase, occupation="99-9999.99", scope="occupation") == none


def test_index_for_builds_once():
    assert index_for(REFERENCE) is index_for(REFERENCE)


def _top_texts(index: Index, phrase: str, occupation: str, top: int = 3) -> list[str]:
    found = index.match(phrase, occupation=occupation, scope="occupation", top=top)
    return [task_text(index, m.task_id).lower() for m in found.matches]


def test_a_misspelt_or_inflected_workplace_word_still_finds_its_entry():
    assert expansions(words("debuging")) == expansions(words("debugging"))
    assert expansions(words("rebalanced")) == expansions(words("rebalancing"))
    assert expansions(words("sprints")) == expansions(words("sprint"))


def test_a_misspelt_workplace_word_ranks_like_the_spelt_one(index):
    programmers = "15-1251.00"
    assert (
        _top_texts(index, "debuging the billing module", programmers)[0]
        == (_top_texts(index, "debugging the billing module", programmers)[0])
    )
    assert "correct errors" in _top_texts(index, "debuging the billing module", programmers)[0]


def test_an_unknown_compound_is_read_as_its_two_known_words(index):
    assert index._parts("copyedit") == [stem("copy"), stem("edit")]
    assert index._parts("headcount") == [stem("head"), stem("count")]
    assert index._parts("zzzzzzzz") == []
    # A word the workplace table knows keeps its own meaning: QuickBooks isn't quick books.
    assert stem("quick") not in index._query("bank reconciliations in quickbooks").weights


def test_one_word_two_workplace_senses_and_the_occupation_picks(index):
    pharmacists, programmers = "29-1051.00", "15-1251.00"
    assert any("prescri" in t for t in _top_texts(index, "filling scripts", pharmacists))
    assert all("prescri" not in t for t in _top_texts(index, "filling scripts", programmers))
    assert any("program" in t for t in _top_texts(index, "writing scripts", programmers))


def test_stems_join_a_noun_to_its_verb():
    assert stem("reconciliation") == stem("reconcile")
    assert stem("verification") == stem("verify")
    assert stem("prescriptions") == stem("prescribe")


def test_the_embedder_is_wordllamas_own_embedding(index):
    import numpy as np
    import wordllama
    from wordllama import WordLlama

    theirs = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    texts = ["calming anxious families after surgery", "Correct errors in the program.", "x"]
    ours = index.embedder.embed(texts)
    cosines = (ours * theirs.embed(texts, norm=True)).sum(axis=1)
    assert np.allclose(cosines, 1.0, atol=1e-3)
    assert not index.embedder.embed([""]).any()  # no tokens: zeros, not NaN
