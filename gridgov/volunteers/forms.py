"""Page forms, their fields derived from the inputs declared once in actions.py and workflow.py
(Input.form_field), so that a page refuses as the API does."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.volunteers import actions
from gridgov.volunteers.models import Availability, Project, Skill


class InputsForm(forms.Form):
    inputs = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in self.inputs:
            self.fields[item.name] = item.form_field()


class ApplicationForm(InputsForm):
    inputs = actions.APPLICATION_INPUTS

    def __init__(self, *args, organisations, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(
            organisations, label=_("加入单位"), error_messages={"required": _("请选择加入单位")})
        self.fields["project"] = forms.ModelChoiceField(
            Project.objects.filter(town__in=organisations.values("town")), label=_("意向项目"),
            required=False)
        self.fields["skills"] = forms.ModelMultipleChoiceField(
            Skill.objects.all(), label=_("技能"), required=False,
            widget=forms.CheckboxSelectMultiple)
        self.fields["grids"] = forms.ModelMultipleChoiceField(
            grids, label=_("服务网格"), required=False, widget=forms.CheckboxSelectMultiple)
        self.fields["availability"] = forms.MultipleChoiceField(
            choices=Availability.choices, label=_("可服务时间"), required=False,
            widget=forms.CheckboxSelectMultiple)
        self.fields["birth_date"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["phone"].widget = forms.TextInput(attrs={"inputmode": "tel"})


class ActivityForm(InputsForm):
    inputs = actions.ACTIVITY_INPUTS

    def __init__(self, *args, organisations, projects, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(organisations, label=_("组织单位"))
        self.fields["project"] = forms.ModelChoiceField(projects, label=_("所属项目"))
        self.fields["grid"] = forms.ModelChoiceField(grids, label=_("网格"))
        self.fields["starts_at"] = forms.DateTimeField(
            label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        self.fields["ends_at"] = forms.DateTimeField(
            label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        self.fields["skills"] = forms.ModelMultipleChoiceField(
            Skill.objects.all(), label=_("所需技能"), required=False,
            widget=forms.CheckboxSelectMultiple)


def action_form(transition, data=None):
    """The form of one workflow transition's inputs."""
    form = forms.Form(data)
    for item in transition.inputs:
        if item.name != "token":
            form.fields[item.name] = item.form_field()
    return form


