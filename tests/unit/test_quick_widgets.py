"""QuickRadioSelect and QuickSelect build in Python the markup Django's widget templates
would render (the scores step's radio buttons, the 600-zone time zone list). They must
render exactly what Django renders, for every attribute shape that reaches them; a
Django upgrade that changes those widgets fails here."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe

from ladder.forms import LadderFormRenderer, QuickRadioSelect, QuickSelect

ATTRS = {"id": "id_x", "class": "wide", "aria-describedby": "x-help x-error", "required": True}
EDGE = {"id": "id_x", "disabled": False, "autofocus": True, "data-n": 3, "title": 'a "b" <c>'}


@pytest.mark.parametrize("attrs", [{}, ATTRS, EDGE, {"data-safe": mark_safe("&amp;")}])
@pytest.mark.parametrize("initial", [None, 2, "3"])
def test_quick_radio_buttons_are_djangos_radio_buttons(
    attrs: dict[str, Any], initial: object
) -> None:
    choices = [(1, "One"), (2, "Two & more"), ("3", "<Three>")]

    class Form(forms.Form):
        django = forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs))
        quick = forms.ChoiceField(choices=choices, widget=QuickRadioSelect(attrs))

    form = Form(initial={"django": initial, "quick": initial})
    pairs = list(zip(form["django"], form["quick"], strict=True))
    assert len(pairs) == 3
    for theirs, ours in pairs:
        expected = theirs.tag().replace("django", "quick")
        assert ours.tag() == expected
        assert str(ours) == str(theirs).replace("django", "quick")  # the labelled form
    assert sum("checked" in ours.tag() for _, ours in pairs) == (initial is not None)


@pytest.mark.parametrize("attrs", [{}, ATTRS, EDGE])
@pytest.mark.parametrize("value", [None, 2, "3", [1, 3]])
@pytest.mark.parametrize("grouped", [False, True])
def test_quick_drop_downs_are_djangos_drop_downs(
    attrs: dict[str, Any], value: object, grouped: bool
) -> None:
    choices: list[Any] = [("", "—"), (1, "One"), (2, "Two & more"), ("3", "<Three>")]
    if grouped:
        choices = [("Small & <odd>", choices[:2]), (2, "Two & more"), ("Big", choices[3:])]
    for theirs, ours in [
        (forms.Select(attrs, choices=choices), QuickSelect(attrs, choices=choices)),
        (
            forms.SelectMultiple(attrs, choices=choices),
            type("QuickMultiple", (QuickSelect, forms.SelectMultiple), {})(attrs, choices=choices),
        ),
    ]:
        expected = theirs.render("zone", value, renderer=LadderFormRenderer())
        assert ours.render("zone", value) == expected
        assert expected.count("<option") == 4


def test_the_profile_form_lists_every_time_zone_with_the_persons_selected() -> None:
    from accounts.forms import ProfileForm
    from accounts.models import User, time_zone_names

    html = str(ProfileForm(instance=User(time_zone="Europe/Berlin"))["time_zone"])
    assert html.count("<option") == len(time_zone_names()) > 400
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in html
    assert html.count(" selected") == 1
