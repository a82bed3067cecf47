"""Form rendering shared by every form in the product."""

from django.forms.renderers import TemplatesSetting


class LadderFormRenderer(TemplatesSetting):
    """Render forms and fields with our templates: label, help text and errors sit
    next to the field and are tied to it with ``aria-describedby``."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
