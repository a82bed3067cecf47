"""Is an activity description specific enough to place on the ladder?

The audit only works when each line is one piece of work: reviewing boilerplate
contracts and negotiating with a hostile counterparty sit on different rungs, so a
job title or "handle various tasks" cannot be scored. These checks are heuristics
that catch the common slips and explain how to fix them; they stay quiet on
anything that plausibly names a real activity.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class GranularityFinding:
    """Why a description is too coarse to score, and how to make it specific."""

    reason: str  # "job_title", "too_short" or "vague"
    message: str
    suggestion: str


# Each family of informal job names shares tailored examples: one low-rung and one
# high-rung activity from that kind of role, so the person sees both ends at once.
_TAILORED_EXAMPLES: dict[str, tuple[str, str]] = {
    "legal": (
        "Reviewing standard supplier contracts for risky clauses",
        "Negotiating deal terms with the other side's counsel",
    ),
    "software": (
        "Writing unit tests for existing features",
        "Agreeing requirements with the product owner",
    ),
    "property": (
        "Drafting listing descriptions for new properties",
        "Walking anxious first-time buyers through an offer",
    ),
    "sales": (
        "Updating the CRM after each customer call",
        "Negotiating renewal terms with a long-standing customer",
    ),
    "management": (
        "Compiling the weekly status report for leadership",
        "Holding one-to-one coaching conversations with each direct report",
    ),
    "consulting": (
        "Building the slide deck from the market analysis",
        "Advising a client's leadership team on which option to pursue",
    ),
    "care": (
        "Writing up notes after each client session",
        "Helping a new client talk through a difficult decision",
    ),
    "health": (
        "Recording patient observations in the chart",
        "Explaining a diagnosis to a worried family",
    ),
    "finance": (
        "Reconciling the monthly bank statements",
        "Explaining the year-end figures to a small-business owner",
    ),
    "data": (
        "Cleaning the monthly sales data for the dashboard",
        "Walking stakeholders through what the numbers mean for their plans",
    ),
    "design": (
        "Producing icon variations from the existing style guide",
        "Presenting design options to a client and working through their objections",
    ),
    "teaching": (
        "Marking the weekly quizzes",
        "Talking with a parent about their child's progress",
    ),
    "marketing": (
        "Scheduling social posts for the product launch",
        "Persuading a partner brand to co-host a campaign",
    ),
    "admin": (
        "Booking travel and meeting rooms for the team",
        "Handling a visitor's complaint at the front desk",
    ),
    "writing": (
        "Drafting product descriptions from a brief",
        "Interviewing customers for a case study",
    ),
    "people": (
        "Screening CVs against the role's requirements",
        "Guiding a hiring manager through a difficult offer conversation",
    ),
}

_JOB_NAMES: dict[str, str] = {
    "attorney": "legal",
    "lawyer": "legal",
    "solicitor": "legal",
    "barrister": "legal",
    "paralegal": "legal",
    "counsel": "legal",
    "legal counsel": "legal",
    "corporate attorney": "legal",
    "developer": "software",
    "software developer": "software",
    "software engineer": "software",
    "web developer": "software",
    "programmer": "software",
    "coder": "software",
    "engineer": "software",
    "realtor": "property",
    "real estate agent": "property",
    "estate agent": "property",
    "agent": "property",
    "broker": "property",
    "sales": "sales",
    "salesperson": "sales",
    "sales rep": "sales",
    "sales representative": "sales",
    "account manager": "sales",
    "account executive": "sales",
    "manager": "management",
    "project manager": "management",
    "product manager": "management",
    "team lead": "management",
    "team leader": "management",
    "director": "management",
    "executive": "management",
    "ceo": "management",
    "founder": "management",
    "consultant": "consulting",
    "advisor": "consulting",
    "adviser": "consulting",
    "financial advisor": "consulting",
    "therapist": "care",
    "counselor": "care",
    "counsellor": "care",
    "coach": "care",
    "social worker": "care",
    "nurse": "health",
    "doctor": "health",
    "physician": "health",
    "accountant": "finance",
    "bookkeeper": "finance",
    "auditor": "finance",
    "analyst": "data",
    "data analyst": "data",
    "data scientist": "data",
    "designer": "design",
    "architect": "design",
    "teacher": "teaching",
    "tutor": "teaching",
    "lecturer": "teaching",
    "professor": "teaching",
    "marketing": "marketing",
    "marketer": "marketing",
    "administrator": "admin",
    "assistant": "admin",
    "secretary": "admin",
    "receptionist": "admin",
    "clerk": "admin",
    "office manager": "admin",
    "writer": "writing",
    "copywriter": "writing",
    "editor": "writing",
    "journalist": "writing",
    "recruiter": "people",
    "hr": "people",
    "human resources": "people",
}

# Words that describe the person rather than the work; dropped before comparing.
_LEAD_INS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "i am working as an",
        "i am working as a",
        "i m working as an",
        "i m working as a",
        "i work as an",
        "i work as a",
        "working as an",
        "working as a",
        "work as an",
        "work as a",
        "my job is",
        "my role is",
        "i am an",
        "i am a",
        "i m an",
        "i m a",
        "im an",
        "im a",
        "i am",
        "i m",
        "im",
        "i",
        "an",
        "a",
        "the",
    )
)
# Seniority says nothing about the activity: "senior lawyer" is still a title.
_SENIORITY = frozenset({"senior", "junior", "lead", "principal", "chief", "head", "trainee"})

_GENERIC_VERBS = frozenset(
    {
        "do", "does", "doing",
        "handle", "handles", "handling",
        "manage", "manages", "managing",
        "work", "works", "working",
        "support", "supports", "supporting",
        "help", "helps", "helping",
        "deal", "deals", "dealing",
        "attend", "attends", "attending",
        "answer", "answers", "answering",
        "reply", "replies", "replying",
        "respond", "responds", "responding",
        "check", "checks", "checking",
        "process", "processes", "processing",
        "admin", "administer", "administering",
        "perform", "performs", "performing",
        "complete", "completes", "completing",
        "take", "takes", "taking",
        "sort", "sorts", "sorting",
        "go", "goes", "going",
        "run", "runs", "running",
        "look", "looks", "looking",
        "cover", "covers", "covering",
    }
)  # fmt: skip
_VAGUE_WORDS = frozenset(
    {
        "thing", "things", "stuff", "task", "tasks", "work", "various", "general",
        "misc", "miscellaneous", "other", "others", "everything", "anything",
        "something", "my", "our", "their", "your", "the", "a", "an", "some", "all",
        "any", "lot", "lots", "bit", "bits", "job", "jobs", "duty", "duties",
        "responsibility", "responsibilities", "role", "meeting", "meetings",
        "email", "emails", "mail", "call", "calls", "team", "teams", "issue",
        "issues", "problem", "problems", "request", "requests", "admin",
        "paperwork", "business", "usual", "day", "daily", "to", "it", "them",
        "this", "that", "whatever", "as", "needed", "required", "necessary",
        "out", "on", "with", "of", "and", "or", "for", "in", "at", "up", "after",
        "care", "etc", "operations", "project", "projects",
    }
)  # fmt: skip

_NOT_A_WORD = re.compile(r"[\W_]+")

_MESSAGES = {
    "job_title": (
        "That reads as a job title rather than an activity. A role is made of "
        "several pieces of work that can sit on different rungs, so list them one "
        "at a time."
    ),
    "too_short": (
        "That's a little short to place on the ladder. Say what you do and, if it helps, for whom."
    ),
    "vague": (
        "That's too general to score. Name the specific thing you produce or the "
        "conversation you have."
    ),
}
_GENERAL_SUGGESTION = (
    "Try verb + object + for whom, e.g. “Preparing the monthly sales report for the "
    "leadership team”."
)


def _words(text: str) -> list[str]:
    # Punctuation, emoji and markup characters carry no meaning for these checks.
    return _NOT_A_WORD.sub(" ", text.casefold()).split()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _title_key(words: list[str]) -> str:
    return " ".join(_singular(word) for word in words)


_JOB_FAMILIES = {_title_key(name.split()): family for name, family in _JOB_NAMES.items()}


def _drop_lead_in(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for lead_in in _LEAD_INS:
            if len(words) > len(lead_in) and tuple(words[: len(lead_in)]) == lead_in:
                words = words[len(lead_in) :]
                changed = True
                break
    return words


def _drop_seniority(words: list[str]) -> list[str]:
    # "mid level" and "entry level" are two words once hyphens are gone.
    while len(words) > 2 and words[0] in {"mid", "entry"} and words[1] == "level":
        words = words[2:]
    while len(words) > 1 and words[0] in _SENIORITY:
        words = words[1:]
    return words


@functools.lru_cache(maxsize=8)
def _occupation_keys(occupation_titles: frozenset[str]) -> frozenset[str]:
    # Cached because forms check every activity against the same ~900 titles.
    keys = set()
    for title in occupation_titles:
        # O*NET qualifies many titles after a comma ("Sales Representatives,
        # Wholesale and Manufacturing, ..."); the part before it is what people say.
        for words in (_words(title), _words(title.partition(",")[0])):
            keys.add(_title_key(words))
            keys.add(_title_key(_drop_seniority(words)))
    keys.discard("")
    return frozenset(keys)


def _job_family(words: list[str], occupation_titles: Collection[str]) -> str | None:
    """The tailored family of a job title ("" when only O*NET knows it), else None."""
    keys = {_title_key(words), _title_key(_drop_seniority(words))}
    for key in keys:
        if key in _JOB_FAMILIES:
            return _JOB_FAMILIES[key]
    if occupation_titles and keys & _occupation_keys(frozenset(occupation_titles)):
        return ""
    return None


def _is_vague(words: list[str]) -> bool:
    return (
        len(words) >= 2
        and words[0] in _GENERIC_VERBS
        and all(word in _VAGUE_WORDS or _singular(word) in _VAGUE_WORDS for word in words[1:])
    )


def _finding(reason: str, suggestion: str = _GENERAL_SUGGESTION) -> GranularityFinding:
    return GranularityFinding(reason=reason, message=_MESSAGES[reason], suggestion=suggestion)


def check_granularity(
    description: str, occupation_titles: Collection[str] = ()
) -> GranularityFinding | None:
    """Return why ``description`` is too coarse to score, or None when it looks fine.

    Flags a job title (from ``occupation_titles``, e.g. O*NET titles, or a built-in
    list of common ones), a description of one or two words, and a generic verb
    with nothing specific after it ("handle various tasks").
    """
    words = _drop_lead_in(_words(description))
    if not words:
        return _finding("too_short")
    family = _job_family(words, occupation_titles)
    if family is not None:
        if family:
            low, high = _TAILORED_EXAMPLES[family]
            return _finding("job_title", f"For example: “{low}” or “{high}”.")
        return _finding("job_title")
    if _is_vague(words):
        return _finding("vague")
    if len(words) <= 2:
        return _finding("too_short")
    return None
