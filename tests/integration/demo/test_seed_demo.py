from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User
from assessments.audits.services import NO_EVIDENCE, build_snapshot
from assessments.demo.cast import CAST, DEMO_PASSWORD
from assessments.demo.synthetic import SYNTHETIC_DOMAIN
from assessments.library import services as library
from assessments.models import Audit, Plan, PlanEvent, RungSnapshot
from ladder.method import planning, scoring
from ladder.method.granularity import check_granularity

# (email, occupation code, lowest rung, highest rung) for each story.
STORIES = [
    ("sofia@demo.ladder", "41-9022.00", Decimal("2.75"), Decimal("3.25")),
    ("maya@demo.ladder", "15-1252.00", Decimal("1.75"), Decimal("2.25")),
    ("daniel@demo.ladder", "23-1011.00", Decimal("2.25"), Decimal("2.75")),
]
WARNING = "Most of your week sits low on the ladder"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The real hasher is slow on purpose; these tests are about what gets seeded.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def completed(email: str) -> list[Audit]:
    return list(
        Audit.objects.filter(owner__email=email, status=Audit.Status.COMPLETE).select_related(
            "snapshot", "occupation"
        )
    )


def test_seed_demo_creates_the_documented_logins_and_is_idempotent(db, client):
    first, second = seed(), seed()
    assert [line.split()[0] for line in first.splitlines()].count("created") == 4
    assert [line.split()[0] for line in second.splitlines()].count("refreshed") == 4
    assert second.count("completed audit kept") == 3
    assert DEMO_PASSWORD in second
    assert User.objects.count() == len(CAST) == 4
    assert EmailAddress.objects.filter(verified=True).count() == 4
    for email, *_ in STORIES:
        assert len(completed(email)) == 1
    assert Audit.objects.count() == RungSnapshot.objects.count() == Plan.objects.count() == 3
    assert not Audit.objects.filter(owner__email="coach@demo.ladder").exists()
    client.post("/accounts/login/", {"login": "maya@demo.ladder", "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="maya@demo.ladder").pk)


def test_a_deleted_story_audit_comes_back_on_the_next_run(db):
    seed()
    completed("sofia@demo.ladder")[0].delete()
    assert "rung 3.0 (new completed audit)" in seed()
    assert len(completed("sofia@demo.ladder")) == 1


@pytest.mark.parametrize("person", [p for p in CAST if p.audit], ids=lambda p: p.email)
def test_story_activities_are_granular_and_add_up(person):
    activities = person.audit.activities
    assert 6 <= len(activities) <= 8
    assert sum(a.share for a in activities) == 100
    assert all(1 <= a.score <= 5 for a in activities)
    for a in activities:
        assert len(a.description) <= 200
        assert check_granularity(a.description) is None, a.description


def test_each_story_is_one_completed_audit_with_its_rung(db):
    seed()
    for email, occupation_code, lowest, highest in STORIES:
        [audit] = completed(email)
        activities = list(audit.activities.all())
        snapshot = audit.snapshot
        assert audit.occupation.code == occupation_code == snapshot.occupation_code
        assert audit.version == 6  # started, then four wizard steps, then completed
        assert sum(a.share for a in activities) == 100
        assert lowest <= snapshot.rung <= highest, email
        assert snapshot.rung == Decimal(sum(a.score * a.share for a in activities)) / 100
        assert snapshot.owner.email == email
        assert snapshot.activities == [
            {"description": a.description, "share": a.share, "score": a.score, **NO_EVIDENCE}
            for a in activities
        ]
    [maya] = completed("maya@demo.ladder")
    low = sum(a.share for a in maya.activities.all() if a.score <= 2)
    assert maya.snapshot.low_share == low >= 70


def test_the_concentration_warning_shows_on_mayas_result_only(db, client):
    seed()
    for email, shows_warning in [("maya@demo.ladder", True), ("sofia@demo.ladder", False)]:
        [audit] = completed(email)
        client.force_login(audit.owner)
        response = client.get(f"/audit/{audit.code}/result/")
        assert response.status_code == 200
        assert (WARNING in response.text) is shows_warning, email
    # Maya's warning names her high-scoring activities that take little time.
    client.force_login(User.objects.get(email="maya@demo.ladder"))
    [maya] = completed("maya@demo.ladder")
    page = client.get(f"/audit/{maya.code}/result/").text
    assert "Clarifying requirements with the product owner” (7%)" in page


def test_the_bulk_snapshot_builder_matches_what_the_wizard_wrote(db):
    """The synthetic people's snapshots come from ``build_snapshot``; the stories' from
    ``audit_complete``. Both must produce the same fields from the same audit."""
    seed()
    for email, *_ in STORIES:
        [audit] = completed(email)
        written = audit.snapshot
        scored = [scoring.Scored(a.description, a.share, a.score) for a in audit.activities.all()]
        built = build_snapshot(
            audit=audit, scored=scored, now=written.taken_at, scenarios=library.scenarios()
        )
        fields = [f.attname for f in RungSnapshot._meta.concrete_fields]
        compared = [name for name in fields if name not in {"id", "code"}]
        assert len(compared) == len(fields) - 2
        assert {name: getattr(built, name) for name in compared} == {
            name: getattr(written, name) for name in compared
        }


def test_users_option_adds_synthetic_people_with_completed_audits_once(db, client):
    output = seed("--users", "50")
    assert "50 added, 0 already there" in output
    people = User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}")
    assert people.count() == 50
    assert people.filter(email="person-000050@synthetic.ladder").exists()
    assert EmailAddress.objects.filter(user__in=people, verified=True, primary=True).count() == 50
    audits = Audit.objects.filter(owner__in=people)
    assert audits.filter(status=Audit.Status.COMPLETE).count() == audits.count() == 50
    snapshots = RungSnapshot.objects.filter(owner__in=people)
    assert snapshots.count() == 50
    assert audits.filter(occupation__isnull=False).exists()
    assert audits.filter(occupation__isnull=True).exists()

    for snapshot in snapshots.select_related("audit"):
        activities = list(snapshot.audit.activities.all())
        assert 5 <= len(activities) <= 10
        assert sum(a.share for a in activities) == 100
        assert all(1 <= a.score <= 5 for a in activities)
        assert snapshot.rung == Decimal(sum(a.score * a.share for a in activities)) / 100
        assert snapshot.low_share == sum(a.share for a in activities if a.score <= 2)
        assert snapshot.owner_id == snapshot.audit.owner_id

    # A few by hand, from the rows themselves.
    for email in ["person-000001@synthetic.ladder", "person-000027@synthetic.ladder"]:
        [audit] = completed(email)
        rows = list(audit.activities.values_list("score", "share"))
        total = sum(score * share for score, share in rows)
        assert audit.snapshot.rung == Decimal(total) / 100
        assert str(audit.snapshot.rung) == f"{total // 100}.{total % 100:02d}"

    again = seed("--users", "50")
    assert "0 added, 50 already there" in again
    assert people.count() == 50
    assert RungSnapshot.objects.filter(owner__in=people).count() == 50

    client.post(
        "/accounts/login/", {"login": "person-000007@synthetic.ladder", "password": DEMO_PASSWORD}
    )
    assert client.session["_auth_user_id"] == str(
        User.objects.get(email="person-000007@synthetic.ladder").pk
    )


def test_synthetic_people_are_the_same_however_they_were_added(db):
    def rungs() -> dict[str, tuple]:
        return {
            s.owner.email: (s.rung, s.occupation_code, s.activities)
            for s in RungSnapshot.objects.filter(
                owner__email__endswith=f"@{SYNTHETIC_DOMAIN}"
            ).select_related("owner")
        }

    seed("--users", "4")
    assert "6 added, 4 already there" in seed("--users", "10")
    in_two_runs = rungs()
    User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}").delete()
    seed("--users", "10")
    assert rungs() == in_two_runs
    assert len(in_two_runs) == 10
    assert len({r for r, _, _ in in_two_runs.values()}) > 1


def test_users_must_be_a_whole_number(db):
    with pytest.raises(CommandError, match="whole number"):
        seed("--users", "-3")


# --- The stories' plans --------------------------------------------------------------------

# (email, focus skill) for each story.
PLANS = [
    ("sofia@demo.ladder", Plan.Skill.NEGOTIATION),
    ("maya@demo.ladder", Plan.Skill.EXECUTIVE),
    ("daniel@demo.ladder", Plan.Skill.NEGOTIATION),
]


@pytest.mark.parametrize("person", [p for p in CAST if p.audit], ids=lambda p: p.email)
def test_story_plans_name_each_activity_of_the_audit_and_add_granular_new_ones(person):
    plan = person.plan
    assert plan.planned.keys() == {a.description for a in person.audit.activities}
    assert 1 <= len(plan.new) <= 3
    assert sum(plan.planned.values()) + sum(a.share for a in plan.new) == 100
    for a in plan.new:
        assert len(a.description) <= 200
        assert check_granularity(a.description) is None, a.description
    assert 2 <= len(plan.events) <= 3


def test_each_story_has_a_plan_that_moves_at_least_20_points_in_a_sprint_from_today(db):
    with time_machine.travel(datetime(2026, 9, 14, 8, tzinfo=UTC), tick=False):
        seed()
    for email, skill in PLANS:
        [audit] = completed(email)
        plan = audit.plan
        snapshot = audit.snapshot
        rows = [
            planning.PlannedShare(a.description, a.score, a.current_share, a.planned_share)
            for a in plan.activities.all()
        ]
        moved = planning.moved_effort(rows, snapshot.rung)
        assert plan.moved_effort == moved >= 20, email
        assert sum(r.planned for r in rows) == 100
        assert [(r.description, r.score, r.current) for r in rows if not r.is_new] == [
            (a["description"], a["score"], a["share"]) for a in snapshot.activities
        ]
        new = [r for r in rows if r.is_new]
        assert 1 <= len(new) <= 3, email
        assert all(r.score > snapshot.rung and r.planned > 0 for r in new), email
        assert not planning.abrupt_cuts(rows), email
        assert plan.target_rung == scoring.next_rung(snapshot.rung)
        assert plan.projected_rung == planning.projected_rung(rows) > snapshot.rung
        assert plan.skill == skill
        assert plan.owner == audit.owner
        assert plan.sprint_start == datetime(2026, 9, 14).date()
        assert plan.sprint_end == plan.sprint_start + timedelta(days=90)
        assert 2 <= plan.events.count() <= 3, email
        assert plan.next_role


def test_daniel_spends_fridays_on_client_calls(db):
    seed()
    [audit] = completed("daniel@demo.ladder")
    assert any("client" in e.title.lower() and e.weekday == 4 for e in audit.plan.events.all())


def test_rerunning_keeps_each_story_plan_and_its_calendar(db):
    seed()
    before = {p.audit_id: (p.code, p.calendar_token) for p in Plan.objects.all()}
    uids = set(PlanEvent.objects.values_list("uid", flat=True))
    seed()
    assert {p.audit_id: (p.code, p.calendar_token) for p in Plan.objects.all()} == before
    assert set(PlanEvent.objects.values_list("uid", flat=True)) == uids
    assert PlanEvent.objects.count() == len(uids)


def test_a_story_audit_without_a_plan_gets_one_on_the_next_run(db):
    seed()
    [audit] = completed("maya@demo.ladder")
    audit.plan.delete()
    seed()
    assert Plan.objects.filter(audit=audit).count() == 1
    assert Plan.objects.count() == 3


def test_a_story_plan_opens_on_its_sprint_page(db, client):
    seed()
    [audit] = completed("sofia@demo.ladder")
    client.force_login(audit.owner)
    response = client.get(f"/plan/{audit.plan.code}/")
    assert response.status_code == 200
    assert "Hosting small client events" in response.content.decode()
    assert client.get(f"/plan/{audit.plan.code}/calendar.ics").status_code == 200
