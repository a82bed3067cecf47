"""Fast at every size: every page answers with a pinned number of SQL queries, the
same whether what it lists is short or long, and an htmx fragment is a fraction of
the page it is swapped into.

The pages come from walking the resolver (as in ``test_access_matrix``), so a new
page fails ``test_every_page_has_a_budget`` until it gets a line in ``BUDGETS``. Each
page is opened by its rightful viewer (the owner, the coach for a coach's pages,
nobody for public ones) in two worlds built alike, small and large (``SMALL`` and
``LARGE`` say how large), after one warm-up request for the per-process caches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import uuid4

import pytest
import time_machine
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments import checkins, coaching, services
from assessments.access import SESSION_KEY
from assessments.models import Audit, Checkin, Occupation, Plan
from assessments.reference import clear_derived, load_reference
from tests.conftest import PASSWORD, make_person
from tests.totp import totp
from tests.views.test_access_matrix import our_urls
from tests.views.test_plans import plan_form, saved_plan
from tests.views.test_wizard import (
    DESCRIPTIONS,
    HTMX,
    OTHER_DESCRIPTIONS,
    audit_at,
    ordered,
    shares_for,
    time_form,
)

# --- The two sizes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    name: str
    activities: int  # in each of the person's audits
    completed: int  # the person's results; each after the first is a quarterly reassessment
    drafts: int  # the person's unfinished audits (the first is in the wizard's last step)
    visitor_audits: int  # made in this browser before logging in, waiting to be kept
    notes: int  # on the latest result: per activity, on the whole audit, and replies
    events: int  # in each plan
    checkins: int  # check-in emails sent to the person
    clients: int  # the coach's active clients, the person among them
    coaches: int  # the person's active coaches
    invitations: int  # pending, each way, for the coach and for the person
    addresses: int  # the person's email addresses
    search: str  # the benchmark search: a few matches, or more than a page of them
    occupation: str  # the occupation page: few task statements, or many


SMALL = Size(
    "small",
    activities=5,
    completed=2,
    drafts=1,
    visitor_audits=0,
    notes=1,
    events=2,
    checkins=1,
    clients=2,
    coaches=1,
    invitations=0,
    addresses=1,
    search="lawyer",
    occupation="23-1011.00",
    # (filled in below, from the reference library)
)
LARGE = Size(
    "large",
    activities=10,
    completed=5,
    drafts=3,
    visitor_audits=3,
    notes=3,
    events=3,
    checkins=4,
    clients=6,
    coaches=3,
    invitations=3,
    addresses=3,
    search="manager",
    occupation="15-1252.00",
)
SIZES = (SMALL, LARGE)


# --- The cast, one per size ----------------------------------------------------------------


@dataclass
class Cast:
    size: Size
    person: User  # the individual: audits, plans, check-ins, coaches, two-factor
    coach: User  # the person's coach, with other clients
    invitee: User  # invited by a coach, not yet answered
    newcomer: User  # signed up, address not yet confirmed
    passwordless: User  # has no password (yet)
    visitor_key: str  # the person's browser made audits before logging in
    completed: list[Audit]  # oldest first
    draft: Audit  # at the scores step
    plan: Plan  # the latest result's
    checkin: Checkin  # the quarter's email, its link not used yet
    link: CoachLink  # coach → person, active
    invitation: CoachLink  # a coach → the invitee, pending

    @property
    def latest(self) -> Audit:
        return self.completed[-1]


@dataclass
class World:
    casts: dict[str, Cast] = field(default_factory=dict)


def person(prefix: str, who: str, *, verified: bool = True) -> User:
    return make_person(f"{prefix}.{who}@example.com", f"{who.title()} {prefix.title()}", verified=verified)


def results(owner: User, size: Size) -> list[Audit]:
    """``size.completed`` results a quarter apart, each a reassessment of the one before."""
    start = timezone.now() - timedelta(days=91 * size.completed + 7)
    with time_machine.travel(start, tick=False):
        audits = [audit_at(owner, "complete", size.activities, job_title="Developer")]
    for quarter in range(1, size.completed):
        with time_machine.travel(start + timedelta(days=91 * quarter), tick=False):
            draft = services.reassessment_start(owner=owner, previous=audits[-1])
            rows = ordered(draft)
            scores = {a.pk: (min(5, (a.score or 1) + (i == quarter % len(rows))), None) for i, a in enumerate(rows)}
            services.audit_save_scores(
                audit=draft, expected_version=draft.version, scores=scores, ai_sources="METR"
            )
            draft.refresh_from_db()
            audits.append(draft)
    return audits


def two_factor(user: User) -> None:
    """An authenticator app and recovery codes, set up the way a person does it."""
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = browser.get(reverse("mfa_activate_totp")).context["form"].secret
    browser.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    browser.get(reverse("mfa_view_recovery_codes"), follow=True)
    assert Authenticator.objects.filter(user=user).count() == 2


def link(coach: User, client: User, *, by: str = CoachLink.Side.COACH) -> CoachLink:
    return CoachLink.objects.create(
        coach=coach,
        client=client,
        invited_by=by,
        email=client.email if by == CoachLink.Side.COACH else coach.email,
        state=CoachLink.State.ACTIVE,
        responded_at=timezone.now(),
    )


def make_cast(size: Size) -> Cast:
    p = size.name
    individual = person(p, "person")
    coach = person(p, "coach")

    # The person's audits: results with plans, drafts, and a visitor's audits.
    completed = results(individual, size)
    plans = [saved_plan(audit, size.events) for audit in completed]
    draft = audit_at(individual, "scores", size.activities, job_title="Developer")
    for step in ("role", "activities", "time")[: size.drafts - 1]:
        audit_at(individual, step, size.activities)
    visitor_key = services.new_anonymous_key()
    for k in range(size.visitor_audits):
        audit_at(None, "complete" if k % 2 == 0 else "time", anonymous_key=visitor_key)

    # The coach and the coach's clients; the person's coaches and invitations both ways.
    coach_link = link(coach, individual)
    for k in range(1, size.clients):
        other = person(p, f"client{k}")
        audit = audit_at(other, "complete", descriptions=OTHER_DESCRIPTIONS + DESCRIPTIONS)
        saved_plan(audit)
        link(coach, other, by=CoachLink.Side.CLIENT if k % 2 else CoachLink.Side.COACH)
    for k in range(1, size.coaches):
        link(person(p, f"coach{k}"), individual, by=CoachLink.Side.CLIENT)
    for k in range(size.invitations):
        asking = person(p, f"asking{k}")
        other_coach = person(p, f"othercoach{k}")
        coaching.invite(inviter=coach, side=CoachLink.Side.COACH, email=f"{p}.prospect{k}@example.com")
        coaching.invite(inviter=asking, side=CoachLink.Side.CLIENT, email=coach.email)
        coaching.invite(inviter=individual, side=CoachLink.Side.CLIENT, email=f"{p}.maybe{k}@example.com")
        coaching.invite(inviter=other_coach, side=CoachLink.Side.COACH, email=individual.email)
    invitee, inviter = person(p, "invitee"), person(p, "inviter")
    invitation = coaching.invite(inviter=inviter, side=CoachLink.Side.COACH, email=invitee.email)

    # Notes on the latest result: per activity (with a score), on the whole, and replies.
    latest = completed[-1]
    for activity in ordered(latest):
        for n in range(size.notes):
            note = coaching.NewComment(f"Note {n}", activity=activity, coach_score=1 + n % 5)
            coaching.comment(audit=latest, author=coach, by_coach=True, new=note)
    for n in range(size.notes):
        coaching.comment(audit=latest, author=coach, by_coach=True, new=coaching.NewComment(f"On the whole {n}"))
        coaching.comment(audit=latest, author=individual, by_coach=False, new=coaching.NewComment(f"Reply {n}"))

    # Check-in emails: earlier quarters' (answered), and this quarter's, not yet.
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
            user=individual, email=f"{p}.person.{k}@example.org", verified=k % 2 == 1
        )
    passwordless = person(p, "passwordless")
    passwordless.set_unusable_password()
    passwordless.save()
    return Cast(
        size=size,
        person=User.objects.get(pk=individual.pk),
        coach=coach,
        invitee=invitee,
        newcomer=person(p, "newcomer", verified=False),
        passwordless=passwordless,
        visitor_key=visitor_key,
        completed=completed,
        draft=draft,
        plan=plans[-1],
        checkin=checkin,
        link=coach_link,
        invitation=invitation,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Both casts, made once per module in a transaction rolled back at its end; each
    test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Occupation.objects.exists():  # a transactional test emptied the library
            load_reference()
            clear_derived()
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ):
            made = World({size.name: make_cast(size) for size in SIZES})
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def casts(world: World, db: None) -> dict[str, Cast]:
    return world.casts


# --- The pages -----------------------------------------------------------------------------

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
    """The reset link stores its key in the session and sends the browser on."""
    uid = user_pk_to_url_str(cast.person)
    key = default_token_generator.make_token(cast.person)
    response = browser.get(reverse("account_reset_password_from_key", args=[uid, key]))
    assert response.status_code == 302
    return response["Location"]


def ics(cast: Cast) -> list[object]:
    return [cast.plan.code]


PAGES: dict[str, Page] = {
    # Public pages; the reference library is the same at both sizes, so the search and
    # the occupation differ instead.
    "home": Page(),
    "healthz": Page(),
    "assessments:benchmarks": Page(query=lambda c: {"q": c.size.search}),
    "assessments:occupation": Page(args=lambda c: [c.size.occupation]),
    "assessments:about_data": Page(),
    "assessments:about_runway": Page(),
    "assessments:occupation_options": Page(query=lambda c: {"q": c.size.search}),
    "assessments:calendar_feed": Page(args=lambda c: [c.plan.calendar_token]),
    "assessments:unsubscribe": Page(args=lambda c: [checkins.unsubscribe_token(c.person)]),
    # The person's own.
    "assessments:start": Page("person"),
    "assessments:my_ladder": Page("person"),
    "assessments:checkin_settings": Page("person"),
    "assessments:checkin": Page("person", args=lambda c: [checkins.link_token(c.checkin)]),
    "assessments:step_role": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_activities": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_time": Page("person", args=lambda c: [c.draft.code]),
    "assessments:step_scores": Page("person", args=lambda c: [c.draft.code]),
    "assessments:result": Page("person", args=lambda c: [c.latest.code]),
    "assessments:delete": Page("person", args=lambda c: [c.latest.code]),
    "assessments:plan": Page("person", args=lambda c: [c.latest.code]),
    "assessments:sprint": Page("person", args=ics),
    "assessments:calendar_download": Page("person", args=ics),
    "assessments:report": Page("person", args=ics),
    "coach:my_coaches": Page("person"),
    "coach:revoke": Page("person", args=lambda c: [c.link.code]),
    "accounts:profile": Page("person"),
    "accounts:delete": Page("person"),
    "accounts:export": Page("person"),
    # The coach's.
    "coach:dashboard": Page("coach"),
    "coach:dashboard_csv": Page("coach"),
    "coach:client": Page("coach", args=lambda c: [c.link.code]),
    "coach:end": Page("coach", args=lambda c: [c.link.code]),
    "coach:client_audit": Page("coach", args=lambda c: [c.link.code, c.latest.code]),
    "coach:invitation": Page(
        "invitee", args=lambda c: [coaching.invitation_token(c.invitation)]
    ),
    # django-allauth's.
    "account_login": Page(),
    "account_signup": Page(),
    "account_inactive": Page(),
    "account_email_verification_sent": Page(),
    "account_reset_password": Page(),
    "account_reset_password_done": Page(),
    "account_reset_password_from_key": Page(first=from_the_reset_email),
    "account_reset_password_from_key_done": Page(),
    "account_request_login_code": Page(),
    "account_confirm_login_code": Page(first=waiting_for_a_code),
    "account_confirm_email": Page(
        args=lambda c: [EmailConfirmationHMAC(EmailAddress.objects.get(user=c.newcomer)).key]
    ),
    "account_logout": Page("person"),
    "account_reauthenticate": Page("person"),
    "account_email": Page("person"),
    "account_change_password": Page("person"),
    "account_set_password": Page("passwordless"),
    "mfa_index": Page("person"),
    "mfa_authenticate": Page("person", first=at_the_second_factor),
    "mfa_reauthenticate": Page("person"),
    "mfa_activate_totp": Page("coach", first=reauthenticated),
    "mfa_deactivate_totp": Page("person", first=reauthenticated),
    "mfa_view_recovery_codes": Page("person", first=reauthenticated),
    "mfa_generate_recovery_codes": Page("person", first=reauthenticated),
    "mfa_download_recovery_codes": Page("person", first=reauthenticated),
}

# URLs that only take a POST: a GET answers 405 (checked below), so no page to budget.
POST_ONLY = {
    "assessments:claim",
    "assessments:discard",
    "assessments:reassess",
    "assessments:calendar_revoke",
    "coach:invite_client",
    "coach:digest_setting",
    "coach:withdraw",
    "coach:invite_coach",
    "coach:reply",
}

# Queries per page, the same at both sizes.
BUDGETS: dict[str, int] = {name: 0 for name in PAGES}


# --- Measuring ------------------------------------------------------------------------------


def browser_of(cast: Cast, who: str) -> Client:
    browser = Client()
    if who:
        browser.force_login(getattr(cast, who))
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


def measure(name: str, cast: Cast) -> Measured:
    page = PAGES[name]
    browser = browser_of(cast, page.who)
    address = page.first(browser, cast) or reverse(name, args=page.args(cast))
    if query := page.query(cast):
        address += "?" + urlencode(query)
    assert resolve(urlsplit(address).path).view_name == name
    body(browser.get(address))  # the per-process caches (the runway model's data), warm
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(address)
        body(response)
    return Measured(response.status_code, [q["sql"] for q in captured.captured_queries])


# --- The budgets ----------------------------------------------------------------------------


def test_every_page_has_a_budget():
    walked = set(our_urls())
    missing = walked - set(BUDGETS) - POST_ONLY
    assert not missing, f"give these pages a line in PAGES and BUDGETS: {sorted(missing)}"
    assert set(BUDGETS) | POST_ONLY == walked, "BUDGETS or POST_ONLY name URLs that are gone"
    assert set(PAGES) == set(BUDGETS)
    assert not set(BUDGETS) & POST_ONLY


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_are_no_pages(casts: dict[str, Cast], name: str):
    pattern = resolve_args(name)
    browser = browser_of(casts["small"], "person")
    assert browser.get(reverse(name, args=pattern)).status_code == 405


def resolve_args(name: str) -> list[object]:
    """Any well-formed arguments: a POST-only view refuses a GET before looking."""
    return [uuid4()] * reverse_arg_count(name)


def reverse_arg_count(name: str) -> int:
    for count in range(3):
        try:
            reverse(name, args=[uuid4()] * count)
        except Exception:  # noqa: BLE001
            continue
        return count
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_is_pinned_and_does_not_grow(casts: dict[str, Cast], name: str):
    small, large = (measure(name, casts[size.name]) for size in SIZES)
    print(f"\nCOUNT {name} {small.status} {large.status} {len(small.queries)} {len(large.queries)}")
    assert (small.status, large.status) == (200, 200)
    grown = "\n".join(large.queries)
    assert len(small.queries) == len(large.queries), (
        f"{name}: {len(small.queries)} queries small, {len(large.queries)} large:\n{grown}"
    )
    assert len(large.queries) == BUDGETS[name], f"{name}: {len(large.queries)} queries:\n{grown}"
