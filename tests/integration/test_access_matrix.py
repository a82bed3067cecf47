"""Who may open what (issue "Coaches"): every URL in the project × the cast × client
A's objects. The URLs come from walking the resolver, so a new page fails
``test_every_url_is_in_the_matrix`` until someone writes down who may see it. Every
state change needs the CSRF token (one-click unsubscribe excepted, by RFC 8058), and
nobody but A writes A's data: A's active coach adds notes beside it, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.models import (
    Activity,
    Audit,
    Checkin,
    Comment,
    InvitationEmail,
    Plan,
    PlanEvent,
    PlannedActivity,
    RungSnapshot,
)
from tests.factories import (
    ARGS,
    CAST,
    DESCRIPTIONS,
    SOFTWARE_DEVELOPERS,
    URL_ARGS,
    World,
    activities_form,
    our_urls,
    plan_form,
    scores_form,
    time_form,
)

# --- Outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    to: str = ""  # a redirect's target view ("" = anywhere)
    shows_a: bool = False  # the page holds A's data
    names_a: bool = False  # the page may name A, but holds nothing of A's ladder
    changes_a: bool = False  # (a POST) A's rows change


THEN = "<the URL's own next page>"  # filled in from Post.then

OK = Expect(200)  # the page, with nothing of A's in it (checked for all but A)
SHOWS = Expect(200, shows_a=True)  # the page, with A's data in it
KNOWS = Expect(200, names_a=True)  # a coach's own history with A: A's name, no more
LOGIN = Expect(302, to="account_login")
NF = Expect(404)
NA = Expect(405)
ANY = Expect(302)  # the visitor's own action, redirecting wherever it goes
DONE = Expect(302, to=THEN, changes_a=True)  # A's write goes through
MOVED = Expect(302, to=THEN)  # the visitor's own write; A's rows as they were
PAUSES = Expect(200, changes_a=True)  # one-click unsubscribe: the token is the key


def to(view: str) -> Expect:
    return Expect(302, to=view)


TO_SCORES = to("assessments:step_scores")  # a draft's furthest step
TO_RESULT = to("assessments:result")  # a completed audit's wizard step


class Row(NamedTuple):
    """One URL's outcome for each member of the cast."""

    anonymous: Expect
    a: Expect  # client A, who owns the objects in the URL
    b: Expect  # client B
    coach: Expect  # A's active coach
    pending: Expect  # a coach whose invitation to A is still pending
    revoked: Expect  # a coach whose access A revoked
    unrelated: Expect  # B's active coach, nothing to do with A


# --- GET: who sees what -----------------------------------------------------------------
# fmt: off
#                      anonymous  A          B      coach  pending revoked unrelated
PUBLIC          = Row(OK,        OK,        OK,    OK,    OK,    OK,    OK)
PUBLIC_OWN      = Row(OK,        SHOWS,     OK,    OK,    OK,    OK,    OK)  # own drafts
OWN_PAGE        = Row(LOGIN,     SHOWS,     OK,    OK,    OK,    OK,    OK)  # own ladder
OWN_SETTINGS    = Row(LOGIN,     OK,        OK,    OK,    OK,    OK,    OK)
POST_ONLY       = Row(LOGIN,     NA,        NA,    NA,    NA,    NA,    NA)
# audit_for: no log-in needed (a visitor's unclaimed audit works too); the owner only.
AUDIT_OWNER     = Row(NF,        SHOWS,     NF,    NF,    NF,    NF,    NF)
DRAFT_RESULT    = Row(NF,        TO_SCORES, NF,    NF,    NF,    NF,    NF)
COMPLETED_STEP  = Row(NF,        TO_RESULT, NF,    NF,    NF,    NF,    NF)
# plan_for and the plan page: log in first; the owner only.
PLAN_OWNER      = Row(LOGIN,     SHOWS,     NF,    NF,    NF,    NF,    NF)
DRAFT_PLAN      = Row(LOGIN,     TO_SCORES, NF,    NF,    NF,    NF,    NF)
# The coach's lists: A's active coach has A in them.
COACH_LIST      = Row(LOGIN,     OK,        OK,    SHOWS, OK,    OK,    OK)
# link_for_coach. Each coach tries their own link (see World.link_of): only the active
# one to A shows A; the unrelated coach's own link is B's, so their page shows B.
COACH_CLIENT    = Row(LOGIN,     NF,        NF,    SHOWS, NF,    NF,    OK)
COACH_AUDIT     = Row(LOGIN,     NF,        NF,    SHOWS, NF,    NF,    NF)
NOBODY          = Row(LOGIN,     NF,        NF,    NF,    NF,    NF,    NF)  # drafts
B_AUDIT_BY_LINK = Row(LOGIN,     NF,        NF,    NF,    NF,    NF,    OK)  # A's link: not B's
CLIENT_OF_LINK  = Row(LOGIN,     OK,        NF,    NF,    NF,    NF,    NF)
COACH_EXPORT    = Row(LOGIN,     SHOWS,     OK,    SHOWS, OK,    KNOWS, OK)
# "The token is the key" pages:
CALENDAR_FEED   = Row(SHOWS,     SHOWS,     SHOWS, SHOWS, SHOWS, SHOWS, SHOWS)  # apps poll it
CHECKIN_LINK    = Row(OK,        SHOWS,     NF,    NF,    NF,    NF,    NF)  # anon: log in
UNSUBSCRIBE     = Row(OK,        OK,        OK,    OK,    OK,    OK,    OK)  # a GET asks
INVITATION      = Row(OK,        OK,        NF,    NF,    NF,    NF,    NF)  # the invitee
# fmt: on

# URL name → {which of A's objects fill its parameters (see ARGS): who gets what}.
EXPECTED: dict[str, dict[str, Row]] = {
    "home": {"": PUBLIC},
    "healthz": {"": PUBLIC},
    "assessments:benchmarks": {"": PUBLIC},
    "assessments:occupation": {"occupation": PUBLIC},
    "assessments:about_data": {"": PUBLIC},
    "assessments:about_runway": {"": PUBLIC},
    "assessments:occupation_options": {"": PUBLIC},
    "assessments:start": {"": PUBLIC_OWN},
    "assessments:my_ladder": {"": OWN_PAGE},
    "assessments:claim": {"": POST_ONLY},
    "assessments:discard": {"": POST_ONLY},
    "assessments:reassess": {"": POST_ONLY},
    "assessments:checkin_settings": {"": OWN_SETTINGS},
    "assessments:checkin": {"check-in link": CHECKIN_LINK},
    "assessments:unsubscribe": {"unsubscribe link": UNSUBSCRIBE},
    "assessments:step_role": {"draft": AUDIT_OWNER, "completed": COMPLETED_STEP},
    "assessments:step_activities": {"draft": AUDIT_OWNER, "completed": COMPLETED_STEP},
    "assessments:step_time": {"draft": AUDIT_OWNER, "completed": COMPLETED_STEP},
    "assessments:step_scores": {"draft": AUDIT_OWNER, "completed": COMPLETED_STEP},
    "assessments:result": {"completed": AUDIT_OWNER, "draft": DRAFT_RESULT},
    "assessments:delete": {"completed": AUDIT_OWNER, "draft": AUDIT_OWNER},
    "assessments:plan": {"completed": PLAN_OWNER, "draft": DRAFT_PLAN},
    "assessments:sprint": {"plan": PLAN_OWNER},
    "assessments:calendar_download": {"plan": PLAN_OWNER},
    "assessments:calendar_revoke": {"plan": POST_ONLY},
    "assessments:report": {"plan": PLAN_OWNER},
    "assessments:calendar_feed": {"calendar token": CALENDAR_FEED},
    "coach:dashboard": {"": COACH_LIST},
    "coach:dashboard_csv": {"": COACH_LIST},
    "coach:invite_client": {"": POST_ONLY},
    "coach:digest_setting": {"": POST_ONLY},
    "coach:client": {"link": COACH_CLIENT},
    "coach:end": {"link": COACH_CLIENT},
    "coach:client_audit": {
        "link, completed": COACH_AUDIT,
        "link, draft": NOBODY,
        "link, B's audit": B_AUDIT_BY_LINK,
    },
    "coach:withdraw": {"A's invitation": POST_ONLY},
    "coach:send_again": {"A's invitation": POST_ONLY},
    "coach:invitation": {"invitation": INVITATION},
    "coach:my_coaches": {"": OWN_SETTINGS},
    "coach:invite_coach": {"": POST_ONLY},
    "coach:revoke": {"A's link": CLIENT_OF_LINK},
    "coach:reply": {"completed": POST_ONLY},
    "accounts:profile": {"": OWN_SETTINGS},
    "accounts:delete": {"": OWN_SETTINGS},
    "accounts:export": {"": COACH_EXPORT},  # a coach's export holds their notes and links
}

# Cells the app gets wrong today. The test asserts the right behaviour and is a strict
# xfail until the app is fixed; then it fails, asking for its entry to be removed.
LEAKS: dict[tuple[str, str, str], str] = {}


# --- POST: who may change what ----------------------------------------------------------


@dataclass(frozen=True)
class Post:
    what: str  # which of A's objects fill the URL (see ARGS)
    then: str  # where a POST that goes through redirects
    row: Row


# Each payload (PAYLOADS) makes a real change when A sends it: A's column proves it,
# so everyone else's "A's rows are as they were" can fail.
# fmt: off
#                      anonymous  A      B      coach  pending revoked unrelated
OWNER_WRITE     = Row(LOGIN,     DONE,  NF,    NF,    NF,    NF,    NF)
VISITOR_WRITE   = Row(NF,        DONE,  NF,    NF,    NF,    NF,    NF)  # audit_for
OWN_WRITE       = Row(LOGIN,     DONE,  MOVED, MOVED, MOVED, MOVED, MOVED)  # own settings
OWN_SESSION     = Row(LOGIN,     MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)  # no visitor audits
REASSESS        = Row(LOGIN,     DONE,  ANY,   ANY,   ANY,   ANY,   ANY)
START           = Row(MOVED,     DONE,  MOVED, MOVED, MOVED, MOVED, MOVED)
CHECKIN_START   = Row(OK,        DONE,  NF,    NF,    NF,    NF,    NF)
UNSUBSCRIBED    = Row(PAUSES,    PAUSES, PAUSES, PAUSES, PAUSES, PAUSES, PAUSES)  # RFC 8058
COACH_NOTE      = Row(LOGIN,     NF,    NF,    DONE,  NF,    NF,    NF)
COACH_END       = Row(LOGIN,     NF,    NF,    DONE,  NF,    NF,    MOVED)  # their own B link
ANSWER          = Row(OK,        DONE,  NF,    NF,    NF,    NF,    NF)
NO_PASSWORD     = Row(LOGIN,     OK,    OK,    OK,    OK,    OK,    OK)
# fmt: on

POSTS: dict[str, Post] = {
    "assessments:claim": Post("", "assessments:my_ladder", OWN_SESSION),
    "assessments:discard": Post("", "assessments:my_ladder", OWN_SESSION),
    "assessments:reassess": Post("", "assessments:step_activities", REASSESS),
    "assessments:checkin_settings": Post("", "assessments:checkin_settings", OWN_WRITE),
    "assessments:checkin": Post("check-in link", "assessments:step_activities", CHECKIN_START),
    "assessments:unsubscribe": Post("unsubscribe link", "", UNSUBSCRIBED),
    "assessments:start": Post("", "assessments:step_role", START),
    "assessments:step_role": Post("draft", "assessments:step_activities", VISITOR_WRITE),
    "assessments:step_activities": Post("draft", "assessments:step_time", VISITOR_WRITE),
    "assessments:step_time": Post("draft", "assessments:step_scores", VISITOR_WRITE),
    "assessments:step_scores": Post("draft", "assessments:result", VISITOR_WRITE),
    "assessments:delete": Post("completed", "assessments:my_ladder", VISITOR_WRITE),
    "assessments:plan": Post("completed", "assessments:sprint", OWNER_WRITE),
    "assessments:calendar_revoke": Post("plan", "assessments:sprint", OWNER_WRITE),
    "coach:invite_client": Post("", "coach:dashboard", OWN_WRITE),
    "coach:digest_setting": Post("", "coach:dashboard", OWN_WRITE),
    # Notes beside A's audit, never in it: test_a_coach_cannot_write_to_the_audit.
    "coach:client_audit": Post("link, completed", "coach:client_audit", COACH_NOTE),
    "coach:end": Post("link", "coach:dashboard", COACH_END),
    "coach:withdraw": Post("A's invitation", "coach:my_coaches", OWNER_WRITE),
    "coach:send_again": Post("A's invitation", "coach:my_coaches", OWNER_WRITE),
    "coach:invitation": Post("invitation", "coach:my_coaches", ANSWER),
    "coach:invite_coach": Post("", "coach:my_coaches", OWN_WRITE),
    "coach:revoke": Post("A's link", "coach:my_coaches", OWNER_WRITE),
    "coach:reply": Post("completed", "assessments:result", OWNER_WRITE),
    "accounts:profile": Post("", "accounts:profile", OWN_WRITE),
    # Deleting an account needs the password, which nobody here sends.
    "accounts:delete": Post("", "", NO_PASSWORD),
}

# --- Left out of the matrix, and why ------------------------------------------------------

# django-allauth's own views. None takes another person's id: each shows or changes
# the signed-in person's own account, and the keys in the two key URLs are allauth's
# signed tokens. Covered by allauth's suite and tests/integration/accounts/test_views.py.
SKIP = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_reauthenticate",
    "account_email",
    "account_email_verification_sent",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_request_login_code",
    "account_confirm_login_code",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}


def ordered(audit: Audit) -> list[Activity]:
    return list(audit.activities.order_by("position"))


# What each POST sends (nothing, if not listed).
PAYLOADS: dict[str, Callable[[World], dict[str, Any]]] = {
    "assessments:checkin_settings": lambda w: {
        "next_date": (timezone.localdate() + timedelta(days=100)).isoformat()
    },
    "assessments:step_role": lambda w: {
        "version": w.draft.version,
        "job_title": "Rewritten by someone else",
        "occupation": SOFTWARE_DEVELOPERS,
    },
    "assessments:step_activities": lambda w: activities_form(
        w.draft.version, DESCRIPTIONS[5:10], acknowledged="True"
    ),
    "assessments:step_time": lambda w: time_form(w.draft, [40, 15, 15, 15, 15]),
    "assessments:step_scores": lambda w: scores_form(w.draft, [5, 5, 5, 5, 5]),
    "assessments:plan": lambda w: plan_form(next_role="Someone else's idea of my next role"),
    "coach:invite_client": lambda w: {"email": "new-client@example.com"},
    "coach:client_audit": lambda w: {"body": "A note", "activity": ordered(w.completed)[1].pk},
    "coach:invitation": lambda w: {"answer": "accept"},
    "coach:invite_coach": lambda w: {"email": "new-coach@example.com"},
    "coach:reply": lambda w: {"body": "A reply"},
    "accounts:profile": lambda w: {"name": "Someone Else", "time_zone": "Europe/Paris"},
    "accounts:delete": lambda w: {"confirm": "on"},
}


# --- Helpers ----------------------------------------------------------------------------


def browser(world: World, who: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if who != "anonymous":
        client.force_login(world.people[who])
    return client


def url_for(world: World, name: str, what: str, who: str) -> str:
    return reverse(name, args=ARGS[what](world, who))


def text_of(response: HttpResponseBase) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def check(response: HttpResponseBase, expect: Expect, world: World, who: str) -> None:
    assert response.status_code == expect.status
    if expect.to:
        assert resolve(urlsplit(response["Location"]).path).view_name == expect.to
    text = text_of(response)
    seen = [marker for marker in world.markers if marker in text]
    if expect.shows_a:
        assert seen or world.a.name in text, "the page should show A's data"
    elif who != "a":
        assert not seen, f"{who} sees A's data: {seen}"
        assert expect.names_a or world.a.name not in text, f"{who} sees A's name"


def a_rows(a: User) -> dict[str, list[Any]]:
    """Everything of A's a request could change, read again."""
    fields = ("name", "time_zone", "checkins_paused", "next_checkin_at", "coach_digest")
    return {
        "person": list(User.objects.filter(pk=a.pk).values_list(*fields, "password")),
        "audits": list(
            Audit.objects.filter(owner=a)
            .order_by("pk")
            .values_list("code", "status", "reached", "version", "job_title", "updated_at")
        ),
        "activities": list(
            Activity.objects.filter(audit__owner=a)
            .order_by("pk")
            .values_list("pk", "description", "share", "score", "three_year")
        ),
        "snapshots": list(RungSnapshot.objects.filter(owner=a).order_by("pk").values_list("pk")),
        "plans": list(
            Plan.objects.filter(owner=a)
            .order_by("pk")
            .values_list("code", "calendar_token", "next_role", "updated_at")
        ),
        "planned": list(
            PlannedActivity.objects.filter(plan__owner=a)
            .order_by("pk")
            .values_list("pk", "description", "planned_share")
        ),
        "events": list(
            PlanEvent.objects.filter(plan__owner=a).order_by("pk").values_list("pk", "title")
        ),
        "comments": list(
            Comment.objects.filter(audit__owner=a).order_by("pk").values_list("pk", "body")
        ),
        "checkins": list(
            Checkin.objects.filter(user=a).order_by("pk").values_list("pk", "state", "audit_id")
        ),
        "invitation emails": list(
            InvitationEmail.objects.filter(Q(link__client=a) | Q(link__coach=a))
            .order_by("pk")
            .values_list("pk", "state")
        ),
        "links": list(
            CoachLink.objects.filter(Q(client=a) | Q(coach=a) | Q(email=a.email))
            .order_by("pk")
            .values_list("pk", "state", "coach_id", "client_id")
        ),
    }


def payload(world: World, name: str) -> dict[str, Any]:
    return PAYLOADS[name](world) if name in PAYLOADS else {}


# --- The matrix -------------------------------------------------------------------------


def test_the_matrix_fills_urls_as_the_factories_say():
    """The fuzz test opens pages by ``URL_ARGS``: it must be the matrix's own list."""
    assert {name: tuple(rows) for name, rows in EXPECTED.items()} == URL_ARGS


def test_every_url_is_in_the_matrix():
    walked = set(our_urls())
    unclassified = walked - set(EXPECTED) - SKIP
    assert not unclassified, f"say who may see these in EXPECTED (or SKIP, why): {unclassified}"
    assert set(EXPECTED) | SKIP == walked, "EXPECTED or SKIP name URLs that are gone"
    assert not set(EXPECTED) & SKIP
    assert set(POSTS) <= set(EXPECTED)
    assert {what for rows in EXPECTED.values() for what in rows} <= set(ARGS)


GET_CELLS = [
    pytest.param(
        name,
        what,
        who,
        id=f"{name}({what})-{who}",
        marks=[pytest.mark.xfail(strict=True, reason=LEAKS[name, what, who])]
        if (name, what, who) in LEAKS
        else [],
    )
    for name, rows in EXPECTED.items()
    for what in rows
    for who in CAST
]


@pytest.mark.parametrize(("name", "what", "who"), GET_CELLS)
def test_get(world: World, name: str, what: str, who: str):
    expect = getattr(EXPECTED[name][what], who)
    before = a_rows(world.a)
    response = browser(world, who).get(url_for(world, name, what, who))
    check(response, expect, world, who)
    assert a_rows(world.a) == before, "a GET changed A's data"


POST_CELLS = [
    pytest.param(name, who, id=f"{name}({post.what})-{who}")
    for name, post in POSTS.items()
    for who in CAST
]


@pytest.mark.parametrize(("name", "who"), POST_CELLS)
def test_post(world: World, name: str, who: str):
    post = POSTS[name]
    expect = getattr(post.row, who)
    if expect.to == THEN:
        expect = replace(expect, to=post.then)
    before = a_rows(world.a)
    response = browser(world, who).post(url_for(world, name, post.what, who), payload(world, name))
    check(response, expect, world, who)
    if expect.changes_a:
        assert a_rows(world.a) != before, "the payload should change A's data"
    else:
        assert a_rows(world.a) == before, f"{who} changed A's data"


@pytest.mark.parametrize("name", [name for name in EXPECTED if name not in POSTS])
def test_pages_not_in_posts_refuse_a_post(world: World, name: str):
    """POSTS lists every view that accepts a POST: the rest answer 405."""
    what = next(iter(EXPECTED[name]))
    before = a_rows(world.a)
    response = browser(world, "a").post(url_for(world, name, what, "a"))
    assert response.status_code == 405
    assert a_rows(world.a) == before


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in POSTS if name != "assessments:unsubscribe"])
def test_state_changes_need_the_csrf_token(world: World, name: str):
    url = url_for(world, name, POSTS[name].what, "a")
    before = a_rows(world.a)
    response = browser(world, "a", csrf=True).post(url, payload(world, name))
    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]
    assert a_rows(world.a) == before


def test_one_click_unsubscribe_is_the_only_view_without_csrf(world: World):
    exempt = {name for name, view in our_urls().items() if getattr(view, "csrf_exempt", False)}
    assert exempt == {"assessments:unsubscribe"}
    # RFC 8058: the mail app POSTs with neither a cookie nor a form token.
    url = url_for(world, "assessments:unsubscribe", "unsubscribe link", "anonymous")
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert User.objects.get(pk=world.a.pk).checkins_paused


# --- What a coach writes -----------------------------------------------------------------


def test_a_coach_cannot_write_to_the_audit(world: World):
    """The coach's form adds a note and a score beside A's audit; fields that would
    change the audit itself are ignored."""
    activity = ordered(world.completed)[0]
    hostile = {
        "body": "Try pairing on this",
        "activity": activity.pk,
        "coach_score": 5,
        "score": 1,
        f"score_{activity.pk}": 1,
        f"share_{activity.pk}": 90,
        "description": "Rewritten by the coach",
        "job_title": "Rewritten by the coach",
        "status": "draft",
        "version": 1,
    }
    url = url_for(world, "coach:client_audit", "link, completed", "coach")
    before = a_rows(world.a)
    response = browser(world, "coach").post(url, hostile)
    assert response.status_code == 302
    note = Comment.objects.latest("pk")
    assert (note.author, note.activity, note.coach_score) == (world.people["coach"], activity, 5)
    after = a_rows(world.a)
    assert len(after.pop("comments")) == len(before.pop("comments")) + 1
    assert after == before


def test_a_coach_cannot_note_an_activity_of_another_audit(world: World):
    elsewhere = ordered(world.b_audit)[0]
    url = url_for(world, "coach:client_audit", "link, completed", "coach")
    before = a_rows(world.a)
    response = browser(world, "coach").post(url, {"body": "Hm", "activity": elsewhere.pk})
    assert response.status_code == 404
    assert a_rows(world.a) == before
    assert not Comment.objects.filter(activity=elsewhere).exists()


# --- The admin --------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_the_admin_is_staff_only(world: World, who: str):
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_change", args=[world.a.pk]),
        reverse("admin:assessments_checkin_change", args=[world.checkin.pk]),
    ):
        response = browser(world, who).get(url)
        assert response.status_code == 302
        assert resolve(urlsplit(response["Location"]).path).view_name == "admin:login"
