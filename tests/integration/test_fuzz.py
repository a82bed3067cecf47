"""No value a person or a script can send is answered with a 5xx (issue "Hold under
attack", item 4).

Two walks, both taken from the resolver and the pages themselves, so a new page or
field is fuzzed the day it is added:

- every URL pattern of the project (allauth's included, the admin's left to Django),
  its parameters filled with hostile text, near misses of A's real values and the real
  values, asked for with GET and POST, signed in and not;
- every form on every page the cast can open, read from the page's HTML: each field
  kept, dropped, or replaced with hostile text (NUL bytes, superscript digits, 30-digit
  numbers, dates at the end of the calendar, novels), posted as a browser and as htmx;
  the page's own query string gets the same treatment.

Each example runs in a savepoint rolled back after it, so examples never use up A's
objects, and the cache (rate limits) is emptied before it. ``make test`` runs a few
examples per page with a fixed seed; ``make fuzz`` runs many, unseeded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.checkins import links
from assessments.coaching import services as coaching
from tests.factories import ARGS, HTMX, URL_ARGS, World, our_routes

EXAMPLES = int(os.environ.get("LADDER_FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared machine: time is measured by benchmarks, not here
    derandomize="LADDER_FUZZ_EXAMPLES" not in os.environ,  # CI sees the same examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

# What people and scripts actually send: each has broken a form somewhere.
NASTY = [
    "\x00",
    "a\x00b",
    "²",
    "١٢",  # Arabic-Indic digits: int() reads them, a database id doesn't exist
    "1" * 30,
    "9" * 400,  # longer than int() reads
    "-1",
    "0",
    "33.3%",
    "1e309",
    "NaN",
    "",
    " ",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "24:00",
    "99:99",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "\u202eevil",
    "😀" * 60,
    "x" * 5000,
    "line\r\nbreak",
    "None",
    "[]",
]
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.text(st.characters(codec="utf-8"), min_size=100, max_size=3000),
)


def near(value: str) -> st.SearchStrategy[str]:
    """A real value, or one changed a little: cut short, added to, a character swapped."""
    return st.one_of(
        st.just(value),
        st.integers(0, max(len(value) - 1, 0)).map(lambda n: value[:n]),
        hostile.map(lambda extra: value + extra),
        st.integers(0, max(len(value) - 1, 0)).map(lambda n: value[:n] + "\x00" + value[n + 1 :]),
    )


def viewer(world: World, who: str) -> Client:
    client = Client()  # an exception in a view reaches the test with its traceback
    if who != "anonymous":
        client.force_login(world.people[who])
    return client


class _Example:
    """One example's world: a savepoint rolled back at its end, an empty cache."""

    def __enter__(self) -> None:
        cache.clear()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc: object) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)  # type: ignore[arg-type]


def assert_no_5xx(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# --- Every URL pattern ----------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def real_values(world: World) -> dict[str, list[str]]:
    """The values A's own links carry, by converter."""
    uuids = [
        str(code)
        for code in (
            world.completed.code,
            world.draft.code,
            world.plan.code,
            world.links["coach"].code,
            world.links["a_invites"].code,
            world.b_audit.code,
        )
    ]
    tokens = [
        world.plan.calendar_token,
        links.link_token(world.checkin),
        links.unsubscribe_token(world.a),
        coaching.invitation_token(world.links["pending"]),
    ]
    return {"uuid": uuids, "token": tokens, "occupation": ["15-1252.00", "29-1141.00"]}


def parameter(converter: str, reals: dict[str, list[str]]) -> st.SearchStrategy[str]:
    known = reals.get(converter, [])
    options: list[st.SearchStrategy[str]] = [hostile]
    if known:
        options.append(st.sampled_from(known).flatmap(near))
    if converter == "uuid":
        options.append(st.uuids().map(str))
    if converter == "occupation":
        options.append(st.from_regex(r"[0-9]{2}-[0-9]{4}\.[0-9]{2}", fullmatch=True))
    return st.one_of(options)


def route_path(route: str, values: dict[str, str]) -> str:
    """The route with each parameter (a converter, or a regex group) filled in."""

    def fill(match: re.Match[str]) -> str:
        return quote(values[match["name"] or match["group"]], safe="")

    return "/" + PARAMETER.sub(fill, route.replace("^", "").replace("$", ""))


ROUTES = [(name, route) for name, route, _ in our_routes()]


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _ in ROUTES])
def test_no_address_answers_5xx(world: World, name: str, route: str):
    reals = real_values(world)
    names = [
        (m["converter"] or ("regex" if m["group"] else "str"), m["name"] or m["group"])
        for m in PARAMETER.finditer(route)
    ]

    @FUZZ
    @given(
        values=st.fixed_dictionaries({n: parameter(c, reals) for c, n in names}),
        query=st.dictionaries(st.sampled_from(["q", "sort", "page", "next", "x"]), hostile),
        who=st.sampled_from(["anonymous", "a"]),
        method=st.sampled_from(["get", "post", "head"]),
    )
    def ask(values: dict[str, str], query: dict[str, str], who: str, method: str) -> None:
        path = route_path(route, values)
        with _Example():
            client = viewer(world, who)
            if method == "post":
                response = client.post(path + "?" + urlencode(query), query)
            else:
                response = getattr(client, method)(path, query)
        if name == "healthz" and response.status_code == 503:
            return  # "no sweep for an hour" is the health check doing its job
        assert_no_5xx(response, f"{method.upper()} {path} as {who}")

    ask()


# --- Every form on every page -----------------------------------------------------------


@dataclass
class Field:
    name: str
    values: list[str] = field(default_factory=list)  # what the page offers or holds


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, Field(name)).values.append(value)


class FormReader(HTMLParser):
    """The forms of a page as a browser would submit them: inputs, buttons with a
    name, selects' options and textareas' text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = Form(a.get("method", "get").lower(), a.get("action") or self.page)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            self.form.add(a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select:
            self.form.add(self.select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea and self.form:
            self.form.add(self.textarea, self.text)
            self.textarea = None


def forms_on(page: str, html: str) -> list[Form]:
    reader = FormReader(page)
    reader.feed(html)
    ours = [f for f in reader.forms if not urlsplit(f.action).netloc]
    return ours or [Form("get", page)]  # a page without a form still has a query string


def field_value(spec: Field) -> st.SearchStrategy[str | None]:
    """Kept as the page has it, another of its options, dropped, or hostile."""
    offered = [v for v in spec.values if v is not None]
    options: list[st.SearchStrategy[str | None]] = [st.none(), hostile]
    if offered:
        options += [st.sampled_from(offered), st.sampled_from(offered).flatmap(near)]
    return st.one_of(options)


def submission(form: Form) -> st.SearchStrategy[dict[str, str]]:
    fields = {name: field_value(spec) for name, spec in form.fields.items()}
    return st.fixed_dictionaries(fields).map(
        lambda values: {k: v for k, v in values.items() if v is not None}
    )


# Pages to read forms from: every page of the matrix, as the first of A, A's coach or a
# visitor who can open it (found when the test runs), and allauth's.
def _pages() -> Iterator[tuple[str, str, str]]:
    for name, whats in URL_ARGS.items():
        for what in whats:
            yield name, what, ""


ALLAUTH_PAGES = [
    ("account_login", "", "anonymous"),
    ("account_signup", "", "anonymous"),
    ("account_reset_password", "", "anonymous"),
    ("account_request_login_code", "", "anonymous"),
    ("account_email", "", "a"),
    ("account_change_password", "", "a"),
    ("account_reauthenticate", "", "a"),
]
PAGES = [*_pages(), *ALLAUTH_PAGES]


@pytest.mark.parametrize(
    ("name", "what", "who"), PAGES, ids=[f"{n}-{w or 'cast'}-{t}" for n, t, w in PAGES]
)
def test_no_form_answers_5xx(world: World, name: str, what: str, who: str):
    for who in [who] if who else ["a", "coach", "anonymous"]:  # noqa: B020
        page = reverse(name, args=ARGS[what](world, who))
        opened = viewer(world, who).get(page)
        if opened.status_code == 200:
            break
    else:
        pytest.skip(f"{page}: nobody in the cast opens it (a POST-only address)")
    html = opened.content.decode(errors="replace") if "html" in opened["Content-Type"] else ""
    forms = forms_on(page, html)

    @FUZZ
    @given(
        form=st.sampled_from(forms).flatmap(lambda f: st.tuples(st.just(f), submission(f))),
        htmx=st.booleans(),
    )
    def send(form: tuple[Form, dict[str, str]], htmx: bool) -> None:
        spec, data = form
        with _Example():
            client = viewer(world, who)
            headers: dict[str, Any] = dict(HTMX) if htmx else {}
            if spec.method == "post":
                response = client.post(spec.action, data, headers=headers)
            else:
                response = client.get(spec.action, data, headers=headers)
        assert_no_5xx(response, f"{spec.method.upper()} {spec.action} {data!r} as {who}")

    send()
