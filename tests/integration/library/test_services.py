"""Loading the reference library, and the figures derived from it."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.library import services as library
from assessments.models import HorizonMeasurement, Occupation, OccupationTitle, TaskStatement

pytestmark = pytest.mark.django_db


def test_loading_twice_leaves_the_same_rows_with_the_same_ids():
    before = (
        set(Occupation.objects.values_list("pk", "code")),
        TaskStatement.objects.count(),
        HorizonMeasurement.objects.count(),
        OccupationTitle.objects.count(),
    )
    out = StringIO()
    call_command("load_reference", stdout=out)
    after = (
        set(Occupation.objects.values_list("pk", "code")),
        TaskStatement.objects.count(),
        HorizonMeasurement.objects.count(),
        OccupationTitle.objects.count(),
    )
    assert before == after
    assert (len(after[0]), after[1], after[2], after[3]) == (923, 19265, 50, 48541 + 7955)
    assert (
        "923 occupations, 56496 job titles, 19265 task statements, "
        "50 AI time-horizon measurements" in out.getvalue()
    )


def test_the_evidence_files_reach_the_tasks_titles_and_occupations():
    """task_evidence.csv, the titles and Anthropic's observed exposure, joined on their
    keys (a few rows checked against the files by hand)."""
    developers = Occupation.objects.get(code="15-1252.00")
    assert developers.observed_exposure is not None
    assert 0 < developers.observed_exposure < 1
    assert developers.titles.filter(short_title="DevOps Engineer", kind="alternate").exists()
    assert developers.titles.filter(title="Developer", kind="reported").exists()
    nurses = Occupation.objects.get(code="29-1141.00")
    assert nurses.titles.filter(short_title="RN").exists()
    # Software Developers have no O*NET task ratings: no importance, as the file says.
    assert not developers.tasks.filter(importance__isnull=False).exists()
    assert TaskStatement.objects.filter(importance__isnull=False).count() == 19265 - 1671
    assert TaskStatement.objects.filter(observed_use__gt=0).count() == 1736
    hands_on = TaskStatement.objects.filter(hands_on=True)
    assert hands_on.exists()
    assert not hands_on.filter(occupation__code="23-1011.00").exists()  # lawyers


def test_tasks_without_older_links_get_a_suggested_score_from_the_newer_ones():
    """13% of tasks have no O*NET 18.1 work-activity links (all of Software Developers'
    among them): their score comes from the O*NET 30.1 links by the same rule."""
    developers = TaskStatement.objects.filter(occupation__code="15-1252.00")
    assert developers.exists()
    assert not developers.filter(suggested_score__isnull=True).exists()
    # "Modify existing software to correct errors…" links to thinking creatively (tier 2).
    fixing = developers.get(task_id=21670)
    assert fixing.suggested_score == Decimal("2.0")
    assert TaskStatement.objects.filter(suggested_score__isnull=True).count() == 80


def test_loading_restores_edited_rows_and_removes_rows_not_in_the_files():
    Occupation.objects.filter(code="15-1252.00").update(title="Tampered", rung=Decimal("5.00"))
    stray = Occupation.objects.create(
        code="99-9999.00", soc2018="99-9999", title="Not in the files"
    )
    TaskStatement.objects.create(
        occupation=Occupation.objects.get(code="23-1011.00"), task_id=999999, text="x"
    )
    report = library.load_reference()
    developers = Occupation.objects.get(code="15-1252.00")
    assert (developers.title, developers.rung) == ("Software Developers", Decimal("2.06"))
    assert not Occupation.objects.filter(pk=stray.pk).exists()
    assert not TaskStatement.objects.filter(task_id=999999).exists()
    assert report.removed == 2


def test_columns_land_in_the_right_fields():
    developers = Occupation.objects.get(code="15-1252.00")
    assert developers.title == "Software Developers"
    assert developers.rung == Decimal("2.06")
    assert developers.gpt4_exposure == pytest.approx(0.8684)
    assert developers.share_physical == 0.0
    assert developers.employment == 1364180
    assert developers.major_group == "15"
    assert developers.tasks.count() == 19
    plumbers = Occupation.objects.get(title__startswith="Plumbers")
    assert plumbers.is_largely_physical
    task = TaskStatement.objects.filter(occupation=developers, exposure="E2").first()
    assert task is not None
    assert task.get_exposure_display().startswith("A language model with tools")


def test_runway_scenarios_are_fitted_to_the_loaded_horizons():
    library.clear_derived()
    slow, baseline, fast = library.scenarios()
    assert slow.doubling_days == pytest.approx(197, rel=0.05)
    assert baseline.doubling_days == pytest.approx(131, rel=0.05)
    assert fast.doubling_days == pytest.approx(97, rel=0.05)


def test_scenarios_follow_the_data_not_a_typed_constant():
    library.clear_derived()
    original = library.scenarios()[1].doubling_days
    # Make every recent model twice as capable: the trend steepens, doubling shortens.
    for point in HorizonMeasurement.objects.filter(released__year__gte=2025):
        point.p50_minutes *= 8
        point.save()
    library.clear_derived()
    assert library.scenarios()[1].doubling_days < original
    library.clear_derived()


def test_rung_and_exposure_check_is_computed_from_the_data():
    library.clear_derived()
    check = library.exposure_check()
    assert check.n == 464
    assert check.rho == pytest.approx(-0.54, abs=0.01)
    # Flip the data and the figure flips with it.
    for occupation in Occupation.objects.filter(rung__isnull=False, gpt4_exposure__isnull=False):
        occupation.gpt4_exposure = float(occupation.rung)
        occupation.save(update_fields=["gpt4_exposure"])
    library.clear_derived()
    assert library.exposure_check().rho == pytest.approx(1.0)
    library.clear_derived()
