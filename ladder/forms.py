"""Form rendering shared by every form in the product."""

from typing import Any, cast

from django import forms
from django.forms.renderers import BaseRenderer, TemplatesSetting
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class LadderFormRenderer(TemplatesSetting):
    """Render forms and fields with our templates: label, help text and errors sit
    next to the field and are tied to it with ``aria-describedby``."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """What Django's widgets/attrs.html prints for a widget's attributes."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class QuickRadioSelect(forms.RadioSelect):
    """Radio buttons whose ``{{ radio.tag }}`` is built in Python rather than through
    Django's four nested widget templates. The scores step draws 50–80 of them per page
    and the template path was a quarter of that page's time. The markup is exactly what
    Django's templates produce (tests/unit/test_quick_widgets.py compares them)."""

    # BoundWidget.tag() renders each button through Widget._render (not in the stubs).
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = context["widget"]
        if template_name != self.option_template_name or widget.get("wrap_label"):
            rendered = super()._render(template_name, context, renderer)  # type: ignore[misc]
            return cast(SafeString, rendered)
        value = widget["value"]
        shown = "" if value is None else format_html(' value="{}"', value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _attrs(widget["attrs"]),
        )


class QuickSelect(forms.Select):
    """A drop-down built in Python rather than one template per option: the time zone
    list has about 600 options, which took the profile page 50 ms to render through
    templates. The markup is exactly Django's (tests/unit/test_quick_widgets.py)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option["value"],
                    _attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append(SafeString("\n  </optgroup>"))
        parts.append(SafeString("\n</select>"))
        return format_html_join("", "{}", ((part,) for part in parts))


def whole_number(raw: object, *, percent: bool = False) -> int | None:
    """A small whole number typed into a form, or None when it isn't one.

    Only ASCII digits count (``"²".isdigit()`` is true, ``int("²")`` raises) and at most
    nine of them, so a pasted 30-digit number is unreadable rather than enormous.
    ``percent`` allows a trailing ``%``."""
    text = str(raw if raw is not None else "").strip()
    if percent:
        text = text.removesuffix("%").strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None
