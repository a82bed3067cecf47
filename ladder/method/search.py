"""Occupation search that forgives partial words and everyday job names.

Pure functions: ``search_terms`` says which words to look for in titles (the caller
turns them into one database filter), and ``rank`` orders the candidates it found.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

# Everyday names → words of the O*NET titles people mean by them. Keys and values are
# normalised (lower case, single spaces); a key matches whole words of the query.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lawyer": ("lawyers",),
    "attorney": ("lawyers",),
    "solicitor": ("lawyers",),
    "barrister": ("lawyers",),
    "counsel": ("lawyers",),
    "realtor": ("real estate sales agents", "real estate brokers"),
    "estate agent": ("real estate sales agents", "real estate brokers"),
    "property agent": ("real estate sales agents",),
    "coder": ("software developers", "computer programmers"),
    "programmer": ("computer programmers", "software developers"),
    "software engineer": ("software developers",),
    "developer": ("software developers", "web developers"),
    "dev": ("developers",),
    "web dev": ("web developers",),
    "therapist": (
        "therapists",
        "mental health counselors",
        "marriage and family therapists",
        "substance abuse and behavioral disorder counselors",
        "clinical and counseling psychologists",
    ),
    "counsellor": ("counselors",),
    "counselor": ("counselors",),
    "psychotherapist": ("therapists", "psychologists", "counselors"),
    "financial adviser": ("personal financial advisors",),
    "financial planner": ("personal financial advisors",),
    "wealth manager": ("personal financial advisors",),
    "adviser": ("advisors",),
    "doctor": ("physicians",),
    "gp": ("family medicine physicians",),
    "physician": ("physicians",),
    "nurse": ("nurses",),
    "accountant": ("accountants",),
    "bookkeeper": ("bookkeeping",),
    "teacher": ("teachers",),
    "lecturer": ("postsecondary teachers",),
    "professor": ("postsecondary teachers",),
    "hr": ("human resources",),
    "recruiter": ("human resources specialists",),
    "salesperson": ("sales representatives", "sales agents"),
    "sales rep": ("sales representatives",),
    "ux": ("designers",),
    "data scientist": ("data scientists",),
    "plumber": ("plumbers",),
    "electrician": ("electricians",),
    "cop": ("police",),
    "ceo": ("chief executives",),
    "paralegal": ("paralegals",),
    "architect": ("architects except landscape and naval",),
    "pharmacist": ("pharmacists",),
    "vet": ("veterinarians",),
    "dentist": ("dentists",),
    "coach": ("coaches", "counselors and advisors"),
    "career coach": ("career counselors and advisors",),
    "social worker": ("social workers",),
    "pr": ("public relations",),
    "journalist": ("reporters", "news analysts"),
    "cleaner": ("janitors", "cleaners"),
    "chef": ("chefs",),
    "cook": ("cooks",),
    "driver": ("drivers",),
    "project manager": ("project management specialists",),
}

STOP_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "in", "for", "to", "or", "my", "i", "am", "as", "at"}
)
MIN_PREFIX = 2
SYNONYM_BONUS = 0.5


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, single spaces."""
    spaced = re.sub(r"[^\w]+", " ", text)  # dashes and slashes separate words
    folded = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def _stem(word: str) -> str:
    # Titles are plural ("Lawyers", "Therapists"); people type singulars.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in STOP_WORDS]


@dataclass(frozen=True)
class Query:
    """A parsed search: the person's own words and, for everyday names, the title
    phrases they stand for."""

    words: tuple[str, ...]
    expansions: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.words


def parse(raw: str) -> Query:
    """Split a query into words and find everyday names in it."""
    text = normalise(raw[:200])
    words = tuple(_stem(w) for w in _words(text) if len(w) >= MIN_PREFIX or w.isdigit())
    padded = f" {text} "
    expansions: list[tuple[str, ...]] = []
    for key, targets in SYNONYMS.items():
        for form in (key, key + "s"):
            if f" {form} " in padded:
                rest = padded.replace(f" {form} ", " ").split()
                for target in targets:
                    phrase = tuple(_stem(w) for w in _words(target)) + tuple(
                        _stem(w) for w in rest if w not in STOP_WORDS
                    )
                    if phrase not in expansions:
                        expansions.append(phrase)
                break
    return Query(words=words, expansions=tuple(expansions))


def search_terms(query: Query) -> list[str]:
    """Every word a matching title must contain somewhere (for the database filter)."""
    terms: list[str] = []
    for word in (*query.words, *(w for phrase in query.expansions for w in phrase)):
        if word not in terms:
            terms.append(word)
    return terms


class Candidate(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def employment(self) -> int | None: ...


def _word_score(word: str, title_words: Sequence[str]) -> int:
    best = 0
    # "frontend" is "Front End", "healthcare" is "Health Care": two title words typed as one.
    for first, second in itertools.pairwise(title_words):
        if word in (first + second, _stem(first + second)):
            return 3
    for title_word in title_words:
        stem = _stem(title_word)
        if word in (title_word, stem):
            return 3
        if title_word.startswith(word) or stem.startswith(word):
            best = max(best, 2)
        elif len(word) >= 3 and word in title_word:
            best = max(best, 1)
    return best


def _phrase_score(words: Sequence[str], title_words: Sequence[str]) -> float:
    """Mean word score if every word matches the title, else 0."""
    total = 0
    for word in words:
        score = _word_score(word, title_words)
        if not score:
            return 0.0
        total += score
    return total / len(words) if words else 0.0


def score(query: Query, title: str) -> float:
    """How well ``title`` answers ``query``; 0 means it doesn't."""
    title_words = normalise(title).split()
    direct = _phrase_score(query.words, title_words)
    # Earlier expansions are what people usually mean: a hair more credit each.
    via_synonym = max(
        (_phrase_score(p, title_words) - 0.1 * i for i, p in enumerate(query.expansions)),
        default=0.0,
    )
    via_synonym = max(via_synonym, 0.0)
    best = max(direct, via_synonym)
    if not best:
        return 0.0
    if via_synonym:
        # The synonym table says what people mean by an everyday name; trust it.
        best += SYNONYM_BONUS
    # Prefer titles that say little else: "Lawyers" over "Lawyers and Judicial Clerks".
    return best + 1.0 / (1 + len(title_words))


def rank[C: Candidate](query: Query, candidates: Iterable[C]) -> list[C]:
    """Candidates that match, best first; ties go to the larger occupation."""
    return [c for c, _ in rank_with_titles(query, ((c, ()) for c in candidates))]


TITLE_PENALTY = 0.25  # a title people use scores a little below the occupation's own
EXACT_TITLE_BONUS = 0.5  # ...unless it is exactly what was typed ("Copywriter", "CPA")


def _is_exactly(query_text: str, title: str) -> bool:
    """The title, its part before "(...)" or the part inside, is the whole query."""
    inside = re.findall(r"\(([^)]*)\)", title)
    before = title.split("(", 1)[0]
    return any(normalise(part) == query_text for part in (title, before, *inside) if part)


def rank_with_titles[C: Candidate](
    query: Query, candidates: Iterable[tuple[C, Sequence[str]]]
) -> list[tuple[C, str | None]]:
    """Like ``rank``, for candidates that come with the other titles people use for
    them ("DevOps Engineer" for Software Developers): each scores by its own title or
    its best other title, and says which other title matched (None: its own)."""
    scored: list[tuple[float, float, C, str | None]] = []
    typed = " ".join(query.words)
    for candidate, titles in candidates:
        own = best = score(query, candidate.title)
        matched = None
        for title in titles:
            other = score(query, title) - TITLE_PENALTY
            if other > 0 and _is_exactly(typed, title):
                other += EXACT_TITLE_BONUS
            if other > best:
                best, matched = other, title
        if best > 0:
            # Named only when the typed words aren't in the occupation's own title.
            direct = _phrase_score(query.words, normalise(candidate.title).split())
            scored.append((best, own, candidate, matched if not direct else None))
    scored.sort(key=lambda row: (-row[0], -row[1], -(row[2].employment or 0), row[2].title))
    return [(candidate, matched) for _, _, candidate, matched in scored]
