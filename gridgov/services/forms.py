"""Forms derived from the workflow's declared inputs (gridgov.core.inputs), and the few forms
of the visiting team and the catalogue import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .workflow import APPLY_INPUTS

TEXTAREAS = {"details", "reason", "result", "comment"}


class InputsForm(forms.Form):
    """The inputs of one transition as form fields: bounds and messages are the rule's own."""

    def __init__(self, inputs, *args, obj=None, user=None, skip=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in inputs:
            if item.name in skip:
                continue
            options = {}
            if item.name in TEXTAREAS:
                options["widget"] = forms.Textarea(attrs={"rows": 3})
            elif item.name == "rating":
                options["widget"] = forms.NumberInput(attrs={"inputmode": "numeric"})
            self.fields[item.name] = item.form_field(obj=obj, actor=user, **options)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def apply_form(*args, **kwargs) -> InputsForm:
    form = InputsForm(APPLY_INPUTS, *args, skip=("item",), **kwargs)
    form.fields["applicant_kind"].widget = forms.RadioSelect(
        choices=form.fields["applicant_kind"].choices)
    form.fields["contact_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
    return form


def action_form(transition, *args, obj=None, user=None, **kwargs) -> InputsForm:
    form = InputsForm(transition.inputs, *args, obj=obj, user=user,
                      prefix=transition.action, **kwargs)
    form.transition = transition
    return form


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("服务清单表格（.xlsx 或 .csv）"))
