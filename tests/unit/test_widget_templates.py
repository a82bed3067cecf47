"""Our copies of Django's widget templates (templates/django/forms/widgets/) have their
includes written inline, so each radio button or input renders from one template. They
must render exactly what Django's own templates render, for every widget we use and the
attribute shapes that reach them; a Django upgrade that changes a widget fails here."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from ladder.forms import LadderFormRenderer, QuickRadioSelect, QuickSelect

OURS = Path(__file__).resolve().parents[2] / "templates" / "django" / "forms" / "widgets"
ATTRS = {"id": "id_x", "class": "wide", "aria-describedby": "x-help x-error", "required": True}
EDGE = {"id": "id_x", "disabled": False, "autofocus": True, "data-n": 3, "title": 'a "b" <c>'}
CHOICES = [(1, "One"), (2, "Two & more"), (3, "<Three>")]


def widgets() -> list[tuple[str, forms.Widget, object]]:
    cases: list[tuple[str, forms.Widget, object]] = []
    for attrs in (ATTRS, EDGE, {}):
        cases += [
            ("text", forms.TextInput(attrs), 'He said "hi" & <left>'),
            ("text-empty", forms.TextInput(attrs), None),
            ("number", forms.NumberInput(attrs), 33),
            ("email", forms.EmailInput(attrs), "a@example.com"),
            ("password", forms.PasswordInput(attrs, render_value=True), "secret"),
            ("hidden", forms.HiddenInput(attrs), 7),
            ("url", forms.URLInput(attrs), "https://example.com/?a=1&b=2"),
            ("search", forms.SearchInput(attrs), "realtor"),
            ("tel", forms.TelInput(attrs), "+44 20"),
            ("color", forms.ColorInput(attrs), "#ff0000"),
            ("date", forms.DateInput(attrs), datetime.date(2026, 11, 26)),
            ("time", forms.TimeInput(attrs), datetime.time(16, 0)),
            ("datetime", forms.DateTimeInput(attrs), datetime.datetime(2026, 11, 26, 9, 30)),
            ("file", forms.FileInput(attrs), None),
            ("checkbox-on", forms.CheckboxInput(attrs), True),
            ("checkbox-off", forms.CheckboxInput(attrs), False),
            ("textarea", forms.Textarea(attrs), "Line one\n<b>two</b>"),
            ("select", forms.Select(attrs, choices=CHOICES), 2),
            ("select-grouped", forms.Select(attrs, choices=[("G", CHOICES), (4, "Four")]), 4),
            ("radio", forms.RadioSelect(attrs, choices=CHOICES), 3),
            ("radio-none", forms.RadioSelect(attrs, choices=CHOICES), None),
            ("checkboxes", forms.CheckboxSelectMultiple(attrs, choices=CHOICES), [1, 3]),
        ]
    return cases


@pytest.mark.parametrize(
    ("name", "widget", "value"), widgets(), ids=[f"{i}-{c[0]}" for i, c in enumerate(widgets())]
)
def test_renders_exactly_what_django_renders(
    name: str, widget: forms.Widget, value: object
) -> None:
    django_html = widget.render("x", value, renderer=DjangoTemplates())
    our_html = widget.render("x", value, renderer=LadderFormRenderer())
    assert our_html == django_html
    assert "<" in our_html


@pytest.mark.parametrize("path", sorted(OURS.glob("*.html")), ids=lambda p: p.name)
def test_our_copy_is_the_one_used_and_includes_nothing_fixed(path: Path) -> None:
    template = LadderFormRenderer().get_template(f"django/forms/widgets/{path.name}")
    assert Path(template.origin.name) == path
    # select.html keeps Django's per-option include (its name comes from the option).
    assert '{% include "' not in path.read_text()


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
