"""Fast at every size: every page answers with a pinned number of SQL queries, the
same whether what it shows is short or long, and an htmx fragment is a fraction of
the page it is swapped into.

The pages come from walking the resolver (as in ``test_access_matrix``), so a new
page fails ``test_every_page_has_a_budget`` until it gets a line in ``PAGES`` and
``BUDGETS``. Each page is opened by its rightful viewer (the owner, the coach for a
coach's pages, nobody for public ones) in two worlds built alike, one small and one
large (``SMALL`` and ``LARGE`` say how large), after one warm-up request that fills
the per-process caches (the runway model's data)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import uuid4

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.access import SESSION_KEY
from assessments.audits import services
from assessments.checkins import links
from assessments.coaching import services as coaching
from assessments.library.services import clear_derived, load_reference
from assessments.models import Audit, Checkin, Occupation, Plan
from tests.factories import (
    HTMX,
    OTHER_DESCRIPTIONS,
    PASSWORD,
    SIZES,
    SMALL,
    Size,
    audit_at,
    linked,
    make_person,
    ordered,
    our_urls,
    plan_form,
    results,
    saved_plan,
    shares_for,
    time_form,
)
from tests.totp import totp

# --- The two sizes ----------------------------------------------------------------------


# --- The cast, one per size -------------------------------------------------------------


@dataclass
class Cast:
    size: Size
    person: User  # the individual: audits, plans, check-ins, coaches, two-factor
    coach: User  # the person's coach, who has other clients too
    invitee: User  # invited by a coach, not answered yet
    newcomer: User  # signed up, address not confirmed yet
    passwordless: User  # has no password (yet)
    visitor_key: str  # in the person's session: audits made before logging in
    completed: list[Audit]  # oldest first
    draft: Audit  # at the scores step
    plan: Plan  # the latest result's
    checkin: Checkin  # this quarter's email; its link not used yet
    link: CoachLink  # coach → person, active
    invitation: CoachLink  # a coach → the invitee, pending

    @property
    def latest(self) -> Audit:
        return self.completed[-1]


def person(size: Size, role: str, *, verified: bool = True) -> User:
    return make_person(
        f"{size.name}.{role}@example.com", f"{role.title()} {size.name.title()}", verified=verified
    )


def two_factor(user: User) -> None:
    """An authenticator app and recovery codes, set up the way a person does it."""
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = browser.get(reverse("mfa_activate_totp")).context["form"].secret
    browser.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    browser.get(reverse("mfa_view_recovery_codes"), follow=True)
    assert Authenticator.objects.filter(user=user).count() == 2


def make_cast(size: Size) -> Cast:
    individual, coach = person(size, "person"), person(size, "coach")

    # The person's audits: results with plans, drafts, and a visitor's audits.
    completed = results(individual, size)
    plans = [saved_plan(audit, size.events) for audit in completed]
    draft = audit_at(individual, "scores", size.activities)
    for step in ("role", "activities", "time")[: size.drafts - 1]:
        audit_at(individual, step, size.activities)
    visitor_key = services.new_anonymous_key()
    for k in range(size.visitor_audits):
        audit_at(None, "complete" if k % 2 == 0 else "time", anonymous_key=visitor_key)

    # The coach's clients; the person's coaches; invitations every way.
    link = linked(coach, individual)
    for k in range(1, size.clients):
        client = person(size, f"client{k}")
        saved_plan(audit_at(client, "complete", descriptions=OTHER_DESCRIPTIONS))
        linked(coach, client, by=CoachLink.Side.CLIENT if k % 2 else CoachLink.Side.COACH)
    coached = [link] + [
        linked(person(size, f"coach{k}"), individual, by=CoachLink.Side.CLIENT)
        for k in range(1, size.coaches)
    ]
    coach_side, client_side = CoachLink.Side.COACH, CoachLink.Side.CLIENT
    for k in range(size.invitations):
        asking, offering = person(size, f"asking{k}"), person(size, f"offering{k}")
        prospect, maybe = (f"{size.name}.{who}{k}@example.com" for who in ("prospect", "maybe"))
        coaching.invite(inviter=coach, side=coach_side, email=prospect)  # not answered yet
        coaching.invite(inviter=asking, side=client_side, email=coach.email)  # asks the coach
        coaching.invite(inviter=individual, side=client_side, email=maybe)  # not answered yet
        coaching.invite(inviter=offering, side=coach_side, email=individual.email)  # offers
    invitee = person(size, "invitee")
    invitation = coaching.invite(
        inviter=person(size, "inviter"), side=coach_side, email=invitee.email
    )

    # Every coach's notes on the latest result: per activity (with a score), on the
    # whole; and the person's replies.
    latest = completed[-1]
    for each in coached:
        assert each.coach is not None
        for activity in ordered(latest):
            for n in range(size.notes):
                note = coaching.NewComment(f"Note {n}", activity=activity, coach_score=1 + n)
                coaching.comment(audit=latest, author=each.coach, link=each, new=note)
        for n in range(size.notes):
            general, reply = coaching.NewComment(f"Overall {n}"), coaching.NewComment(f"Re {n}")
            coaching.comment(audit=latest, author=each.coach, link=each, new=general)
            coaching.comment(audit=latest, author=individual, link=each, new=reply)

    # Check-in emails: earlier quarters' (answered by a reassessment), and this one's.
    today, now = timezone.localdate(), timezone.now()
    for k in range(size.checkins - 1, 0, -1):
        Checkin.objects.create(
            user=individual,
            period=today - timedelta(days=91 * k),
            kind=Checkin.Kind.REMINDER if k % 2 == 0 else Checkin.Kind.CHECKIN,
            state=Checkin.State.SENT,
            next_attempt_at=now - timedelta(days=91 * k),
            sent_at=now - timedelta(days=91 * k),
            snapshot=completed[max(0, len(completed) - 1 - k)].snapshot,
            audit=completed[len(completed) - k] if k < len(completed) else None,
        )
    checkin = Checkin.objects.create(
        user=individual,
        period=today,
        state=Checkin.State.SENT,
        next_attempt_at=now,
        sent_at=now,
        snapshot=latest.snapshot,
    )

    two_factor(individual)  # (allauth wants every address confirmed first)
    for k in range(1, size.addresses):
        EmailAddress.objects.create(
            user=individual, email=f"{size.name}.person.{k}@example.org", verified=k % 2 == 1
        )
    passwordless = person(size, "passwordless")
    passwordless.set_unusable_password()
    passwordless.save()
    return Cast(
        size=size,
        person=User.objects.get(pk=individual.pk),
        coach=coach,
        invitee=invitee,
        newcomer=person(size, "newcomer", verified=False),
        passwordless=passwordless,
        visitor_key=visitor_key,
        completed=completed,
        draft=draft,
        plan=plans[-1],
        checkin=checkin,
        link=link,
        invitation=invitation,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Cast]]:
    """Both casts, made once per module in a transaction rolled back at its end; each
    test runs in a savepoint inside it (pytest-django's ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Occupation.objects.exists():  # a transactional test emptied the library
            load_reference()
            clear_derived()
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            casts = {size.name: make_cast(size) for size in SIZES}
        yield casts
        transaction.set_rollback(True)


@pytest.fixture
def casts(world: dict[str, Cast], db: None) -> dict[str, Cast]:
    return world


# --- The pages -------------------------------------------------------------------------

ANONYMOUS = ""


@dataclass(frozen=True)
class Page:
    """How a page's rightful viewer opens it."""

    who: str = ANONYMOUS  # the Cast attribute naming the viewer
    args: Callable[[Cast], Sequence[object]] = lambda c: ()
    query: Callable[[Cast], dict[str, str]] = lambda c: {}
    # What the viewer's browser does first (a log-in stage, the password asked again);
    # returns the address to open when it isn't the page's plain reverse().
    first: Callable[[Client, Cast], str | None] = lambda browser, c: None


def reauthenticated(browser: Client, cast: Cast) -> None:
    """allauth asks for the password again before security pages."""
    response = browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def at_the_second_factor(browser: Client, cast: Cast) -> None:
    browser.logout()
    browser.post(reverse("account_login"), {"login": cast.person.email, "password": PASSWORD})
    assert "_auth_user_id" not in browser.session


def waiting_for_a_code(browser: Client, cast: Cast) -> None:
    browser.post(reverse("account_request_login_code"), {"email": cast.person.email})


def from_the_reset_email(browser: Client, cast: Cast) -> str:
    """The reset link puts its key in the session and sends the browser on."""
    user = User.objects.get(pk=cast.person.pk)  # the key depends on last_login
    uid, key = user_pk_to_url_str(user), default_token_generator.make_token(user)
    response = browser.get(reverse("account_reset_password_from_key", args=[uid, key]))
    assert response.status_code == 302
    return str(response["Location"])


def the_plan(cast: Cast) -> list[object]:
    return [cast.plan.code]


def the_confirmation(cast: Cast) -> list[object]:
    return [EmailConfirmationHMAC(EmailAddress.objects.get(user=cast.newcomer)).key]


PAGES: dict[str, Page] = {
    # Public. The reference library is the same at both sizes: the search and the
    # occupation differ instead.
    "home": Page(),
    "healthz": Page(),
    "assessments:benchmarks": Page(query=lambda c: {"q": c.size.search}),
    "assessments:occupation": Page(args=lambda c: [c.size.occupation]),
    "assessments:about_data": Page(),
    "assessments:about_runway": Page(),
    "assessments:occupation_options": Page(query=lambda c: {"q": c.size.search}),
    "assessments:calendar_feed": Page(args=lambda c: [c.plan.calendar_token]),
    "assessments:unsubscribe": Page(args=lambda c: [links.unsubscribe_token(c.person)]),
    # The person's own.
    "assessments:start": Page("person"),
    "assessments:my_ladder": Page("person"),
    "assessments:checkin_settings": Page("person"),
    "assessments:checkin": Page("person", args=lambda c: [links.link_token(c.checkin)]),
    "assessments:step_role": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_activities": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_time": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_scores": Page("person", args=lambda c: [c.draft.code]),
    "assessments:result": Page("person", args=lambda c: [c.latest.code]),
    "assessments:delete": Page("person", args=lambda c: [c.latest.code]),
    "assessments:plan": Page("person", args=lambda c: [c.latest.code]),
    "assessments:sprint": Page("person", args=the_plan),
    "assessments:calendar_download": Page("person", args=the_plan),
    "assessments:report": Page("person", args=the_plan),
    "coach:my_coaches": Page("person"),
    "coach:revoke": Page("person", args=lambda c: [c.link.code]),
    "coach:invitation": Page("invitee", args=lambda c: [coaching.invitation_token(c.invitation)]),
    "accounts:profile": Page("person"),
    "accounts:delete": Page("person"),
    "accounts:export": Page("person"),
    # The coach's.
    "coach:dashboard": Page("coach"),
    "coach:dashboard_csv": Page("coach"),
    "coach:client": Page("coach", args=lambda c: [c.link.code]),
    "coach:end": Page("coach", args=lambda c: [c.link.code]),
    "coach:client_audit": Page("coach", args=lambda c: [c.link.code, c.latest.code]),
    # django-allauth's.
    "account_login": Page(),
    "account_signup": Page(),
    "account_inactive": Page(),
    "account_email_verification_sent": Page(),
    "account_confirm_email": Page(args=the_confirmation),
    "account_reset_password": Page(),
    "account_reset_password_done": Page(),
    "account_reset_password_from_key": Page(first=from_the_reset_email),
    "account_reset_password_from_key_done": Page(),
    "account_request_login_code": Page(),
    "account_confirm_login_code": Page(first=waiting_for_a_code),
    "account_logout": Page("person"),
    "account_reauthenticate": Page("person"),
    "account_email": Page("person"),
    "account_change_password": Page("person"),
    "account_set_password": Page("passwordless"),
    "mfa_index": Page("person"),
    "mfa_authenticate": Page("person", first=at_the_second_factor),
    "mfa_reauthenticate": Page("person"),
    "mfa_activate_totp": Page("coach", first=reauthenticated),  # the coach has no 2FA yet
    "mfa_deactivate_totp": Page("person", first=reauthenticated),
    "mfa_view_recovery_codes": Page("person", first=reauthenticated),
    "mfa_generate_recovery_codes": Page("person", first=reauthenticated),
    "mfa_download_recovery_codes": Page("person", first=reauthenticated),
}

# Queries per page, the same at both sizes. "session, user" start every signed-in page.
# fmt: off
BUDGETS: dict[str, int] = {
    "home": 0,
    "healthz": 2,  # SELECT 1, the sweep's heartbeat
    "assessments:benchmarks": 1,  # the matches
    "assessments:occupation": 2,  # the occupation, its tasks
    "assessments:about_data": 2,  # two counts
    "assessments:about_runway": 0,
    "assessments:occupation_options": 1,  # the matches
    "assessments:calendar_feed": 2,  # the plan with audit and owner, its events
    "assessments:unsubscribe": 1,  # the person
    "assessments:start": 3,  # session, user, drafts
    "assessments:my_ladder": 4,  # session, user, audits with snapshots and plans, visitor's
    # session, user, history, has a result, last check-in, a verified address
    "assessments:checkin_settings": 6,
    # session, user, the check-in, done already?, the latest result, its snapshot
    "assessments:checkin": 6,
    "assessments:step_role": 3,  # session, user, audit
    "assessments:step_activities": 5,  # session, user, audit, activities, suggestions
    "assessments:step_time": 4,  # session, user, audit, activities
    "assessments:step_scores": 5,  # session, user, audit, activities, the tasks like them
    # session, user, the audit with its snapshot and plan, its activities (for what
    # changed and the notes), the previous snapshot and plan, notes, their coaches
    "assessments:result": 8,
    "assessments:delete": 3,  # session, user, audit
    # session, user, audit, snapshot, plan, its activities, its events, suggestions
    "assessments:plan": 8,
    "assessments:sprint": 5,  # session, user, plan with audit and snapshot, rows, events
    "assessments:calendar_download": 4,  # session, user, plan with audit and owner, events
    "assessments:report": 5,  # session, user, plan with audit and snapshot, rows, events
    "coach:my_coaches": 5,  # session, user, the coaches, addresses, invitations
    "coach:revoke": 3,  # session, user, the link
    "coach:invitation": 4,  # session, user, the invitation, the invitee's addresses
    "accounts:profile": 2,
    "accounts:delete": 2,
    # session, user, clients, audits, three prefetches, check-ins, links, notes
    "accounts:export": 10,
    # session, user, count, page, the page's results, latest plans, measured plans,
    # pending invitations, addresses, invitations to the coach
    "coach:dashboard": 10,
    "coach:dashboard_csv": 3,  # session, user, clients
    # session, user, link, results with snapshots and plans, the plan's rows and
    # events, check-ins
    "coach:client": 7,
    "coach:end": 3,  # session, user, link
    "coach:client_audit": 6,  # session, user, link, audit with snapshot, activities, notes
    # django-allauth's own
    "account_login": 0,
    "account_signup": 0,
    "account_inactive": 0,
    "account_email_verification_sent": 0,
    "account_confirm_email": 3,
    "account_reset_password": 0,
    "account_reset_password_done": 0,
    "account_reset_password_from_key": 4,
    "account_reset_password_from_key_done": 0,
    "account_request_login_code": 0,
    "account_confirm_login_code": 2,
    "account_logout": 2,
    "account_reauthenticate": 8,
    "account_email": 4,
    "account_change_password": 2,
    "account_set_password": 2,
    "mfa_index": 4,
    "mfa_authenticate": 3,
    "mfa_reauthenticate": 8,
    "mfa_activate_totp": 10,
    "mfa_deactivate_totp": 7,
    "mfa_view_recovery_codes": 6,
    "mfa_generate_recovery_codes": 6,
    "mfa_download_recovery_codes": 6,
}
# fmt: on

# Pages that show nothing that grows: the same at both sizes. Every other page must
# be longer in the large world, or the two sizes prove nothing.
FIXED = {
    "home",
    "healthz",
    "assessments:about_data",
    "assessments:about_runway",
    "assessments:unsubscribe",
    "assessments:checkin",  # the latest result's summary
    "assessments:step_role",
    "assessments:delete",
    "coach:revoke",
    "coach:invitation",
    "coach:end",
    "accounts:profile",
    "accounts:delete",
    *(name for name in PAGES if name.startswith(("account_", "mfa_"))),
} - {"account_email"}  # lists the person's addresses

# URLs that only take a POST: a GET answers 405 (checked below), so no page to budget.
POST_ONLY = {
    "assessments:claim",
    "assessments:discard",
    "assessments:reassess",
    "assessments:calendar_revoke",
    "coach:invite_client",
    "coach:digest_setting",
    "coach:withdraw",
    "coach:send_again",
    "coach:invite_coach",
    "coach:reply",
}


# --- Measuring -------------------------------------------------------------------------


def browser_of(cast: Cast, who: str) -> Client:
    browser = Client()
    if who:
        # A fresh copy: logging in stamps last_login on the object, and the casts'
        # objects outlive each test's rolled-back savepoint.
        browser.force_login(User.objects.get(pk=getattr(cast, who).pk))
    if who == "person":
        session = browser.session
        session[SESSION_KEY] = cast.visitor_key
        session.save()
    return browser


def body(response: HttpResponseBase) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert isinstance(response, HttpResponse)
    return response.content


@dataclass(frozen=True)
class Measured:
    status: int
    queries: list[str]
    length: int  # of the response body


def address_of(name: str, cast: Cast, browser: Client) -> str:
    page = PAGES[name]
    address = page.first(browser, cast) or reverse(name, args=page.args(cast))
    if query := page.query(cast):
        address += "?" + urlencode(query)
    assert resolve(urlsplit(address).path).view_name == name
    return address


def measure(name: str, cast: Cast) -> Measured:
    browser = browser_of(cast, PAGES[name].who)
    address = address_of(name, cast, browser)
    body(browser.get(address))  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(address)
        content = body(response)  # a streamed response queries while it streams
    queries = [query["sql"] for query in captured.captured_queries]
    return Measured(response.status_code, queries, len(content))


# --- The budgets -----------------------------------------------------------------------


def test_every_page_has_a_budget():
    walked = set(our_urls())
    missing = walked - set(BUDGETS) - POST_ONLY
    assert not missing, f"give these pages a line in PAGES and BUDGETS: {sorted(missing)}"
    assert set(BUDGETS) | POST_ONLY == walked, "BUDGETS or POST_ONLY name URLs that are gone"
    assert set(PAGES) == set(BUDGETS)
    assert not set(BUDGETS) & POST_ONLY
    assert set(FIXED) <= set(PAGES)


def any_args(name: str) -> list[object]:
    """Well-formed arguments for a URL: a POST-only view refuses a GET before looking."""
    for count in range(3):
        try:
            reverse(name, args=[uuid4()] * count)
        except NoReverseMatch:
            continue
        return [uuid4()] * count
    raise AssertionError(f"no arguments fit {name}")


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_are_no_pages(casts: dict[str, Cast], name: str):
    browser = browser_of(casts[SMALL.name], "person")
    assert browser.get(reverse(name, args=any_args(name))).status_code == 405


@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_is_pinned_and_does_not_grow(casts: dict[str, Cast], name: str):
    small, large = (measure(name, casts[size.name]) for size in SIZES)
    assert (small.status, large.status) == (200, 200)
    if name not in FIXED:
        assert large.length > small.length, "the large world should show more on this page"
    listed = "\n".join(large.queries)
    assert len(small.queries) == len(large.queries), (
        f"{name}: {len(small.queries)} queries small, {len(large.queries)} large:\n{listed}"
    )
    assert len(large.queries) == BUDGETS[name], f"{name}: {len(large.queries)} queries:\n{listed}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_answers_head_as_it_answers_get(casts: dict[str, Cast], name: str):
    """An uptime monitor's HEAD gets the GET's status and headers, without the body."""
    cast = casts[SMALL.name]
    browser = browser_of(cast, PAGES[name].who)
    address = address_of(name, cast, browser)
    got, head = browser.get(address), browser.head(address)
    assert (head.status_code, got.status_code) == (200, 200)
    assert head["Content-Type"] == got["Content-Type"]
    assert body(head) == b""
    assert body(got) != b""


# --- htmx fragments --------------------------------------------------------------------


def step(cast: Cast, name: str) -> str:
    return reverse(f"assessments:step_{name}", args=[cast.draft.code])


def time_step_form(cast: Cast) -> dict[str, object]:
    """The time step as a browser posts it, with the draft's current version."""
    shares: list[object] = list(shares_for(cast.size.activities))
    return time_form(Audit.objects.get(pk=cast.draft.pk), shares)


def step_save(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
    """Saving the time step. htmx gets an empty 204 naming the next step's fragment
    (measured as "wizard: scores step"); without JavaScript the browser is
    redirected to the next step's whole page."""
    form = time_step_form(cast)
    saved = browser.post(step(cast, "time"), form, headers=HTMX)
    assert saved.status_code == 204
    location = json.loads(saved["HX-Location"])
    assert (location["path"], location["target"]) == (step(cast, "scores"), "#wizard")
    plain = browser.post(step(cast, "time"), form)
    assert plain.status_code == 302
    return saved.content, browser.get(plain["Location"]).content


def step_get(name: str) -> Callable[[Client, Cast], tuple[bytes, bytes]]:
    """A wizard step as htmx swaps it in (after the previous step's save, or from
    the step list), and as a whole page."""

    def fetch(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
        address = step(cast, name)
        return browser.get(address, headers=HTMX).content, browser.get(address).content

    return fetch


def share_total(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
    """The time step's running total, while typing."""
    data = time_step_form(cast) | {"preview": "1"}
    return (
        browser.post(step(cast, "time"), data, headers=HTMX).content,
        browser.get(step(cast, "time")).content,
    )


def occupation_options(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
    """The role step's type-ahead, against the role step."""
    options = reverse("assessments:occupation_options") + "?" + urlencode({"q": cast.size.search})
    return browser.get(options, headers=HTMX).content, browser.get(step(cast, "role")).content


def same_address(
    name: str, query: Callable[[Cast], dict[str, str]] = lambda c: {}
) -> Callable[[Client, Cast], tuple[bytes, bytes]]:
    def fetch(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
        address = reverse(name) + "?" + urlencode(query(cast))
        return browser.get(address, headers=HTMX).content, browser.get(address).content

    return fetch


def projection(browser: Client, cast: Cast) -> tuple[bytes, bytes]:
    """The plan page's projected rung, while typing."""
    address = reverse("assessments:plan", args=[cast.latest.code])
    shares = [a["share"] for a in cast.latest.snapshot.activities]
    data = plan_form(planned=shares, preview="1")
    return browser.post(address, data, headers=HTMX).content, browser.get(address).content


@dataclass(frozen=True)
class Fragment:
    who: str
    fetch: Callable[[Client, Cast], tuple[bytes, bytes]]  # (the fragment, its page)
    budget: float  # the fragment's length as a share of its page's, at most


# The target is a tenth. A wizard step, the search results and the client list
# miss it: the part swapped in is most of the page (the layout around it is ~2 kB).
FRAGMENTS: dict[str, Fragment] = {
    "wizard: saving a step": Fragment("person", step_save, 0.10),
    "wizard: role step": Fragment("person", step_get("role"), 0.70),  # measured 0.61
    "wizard: activities step": Fragment("person", step_get("activities"), 0.90),  # 0.84
    "wizard: time step": Fragment("person", step_get("time"), 0.80),  # 0.73
    # The step is nearly the whole page: its form, now with the tasks like each activity.
    "wizard: scores step": Fragment("person", step_get("scores"), 0.97),  # 0.95
    "wizard: share total": Fragment("person", share_total, 0.10),  # 0.02
    "wizard: occupation options": Fragment("person", occupation_options, 0.30),  # 0.24
    "benchmarks: search results": Fragment(
        ANONYMOUS, same_address("assessments:benchmarks", lambda c: {"q": c.size.search}), 0.90
    ),  # 0.82 for a page of 50 results
    "coach: client list": Fragment("coach", same_address("coach:dashboard"), 0.50),  # 0.38
    "plan: projection": Fragment("person", projection, 0.10),  # 0.02
}


@pytest.mark.parametrize("name", FRAGMENTS)
@pytest.mark.parametrize("size", [size.name for size in SIZES])
def test_an_htmx_fragment_is_a_fraction_of_its_page(casts: dict[str, Cast], name: str, size: str):
    fragment, cast = FRAGMENTS[name], casts[size]
    part, whole = fragment.fetch(browser_of(cast, fragment.who), cast)
    assert b"<html" in whole
    assert b"<html" not in part
    assert b'class="site-header"' not in part
    ratio = len(part) / len(whole)
    assert ratio < fragment.budget, f"{name}: {len(part)} of {len(whole)} bytes ({ratio:.0%})"
