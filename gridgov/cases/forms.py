"""Forms of the case pages: they check input and say in plain Chinese what is wrong; the writes
themselves are gridgov.cases.actions."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.cases import photos
from gridgov.cases.models import Case, Category, Satisfaction, Source, State, Urgency
from gridgov.core import pii
from gridgov.core.errors import Refusal
from gridgov.grids.models import Department, Grid

MAX_PHOTOS = photos.max_per_report()
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 1000
# Roughly China's extent: a point outside is a slip of the finger or a broken GPS fix.
LONGITUDE_RANGE, LATITUDE_RANGE = (73.0, 136.0), (3.0, 54.0)

# Who may file a case under which source, beside a resident's own report.
STAFF_SOURCES = {
    Role.GRID_STAFF: (Source.PATROL,),
    Role.OPERATOR: (Source.HOTLINE, Source.DEPUTY, Source.VISIT, Source.RESIDENT),
}


class PlainSelect(forms.Select):
    """A <select> written out in Python: Django renders each option through a template of its
    own, which costs tens of milliseconds for a catalogue of a hundred categories on a list page
    that is opened all day long."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = str(value) if value not in (None, "") else ""
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (str(key), mark_safe(" selected") if str(key) == chosen else "", label)
            for key, label in self.choices
        ))
        return format_html("<select name=\"{}\"{}>{}</select>", name,
                           flatatt(self.build_attrs(self.attrs, attrs)), options)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images in one input, each checked and stripped of its metadata by
    gridgov.cases.photos here already, so that a bad file is named before anything is saved."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultiplePhotoInput(
            attrs={"accept": "image/*", "multiple": True, "capture": "environment"}
        ))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, (list, tuple)) else (
            [data] if data else []
        )
        if self.required and not files:
            raise forms.ValidationError(_("请至少上传一张照片"), code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("最多上传%(max)d张照片，您选择了%(count)d张"),
                code="too_many", params={"max": MAX_PHOTOS, "count": len(files)},
            )
        cleaned = []
        for upload in files:
            try:
                cleaned.append(photos.clean_photo(super().clean(upload)))
            except Refusal as error:
                raise forms.ValidationError(
                    _("照片“%(name)s”：%(message)s"), code=error.code,
                    params={"name": upload.name, "message": error.message},
                ) from None
        return cleaned


def phone_or_blank(value: str) -> str:
    value = pii.normalize_phone(value)
    if value and not (pii.is_valid_mobile(value) or pii.LANDLINE_RE.match(value)):
        raise forms.ValidationError(_("请输入11位手机号码或带区号的固定电话"), code="invalid_phone")
    return value


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), label=_("问题类型"),
        error_messages={"required": _("请选择问题类型"),
                        "invalid_choice": _("所选问题类型不存在或已停用，请重新选择")},
    )
    description = forms.CharField(
        label=_("问题描述"), min_length=DESCRIPTION_MIN, max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("什么问题、在哪里、持续多久了")}),
        error_messages={
            "required": _("请描述问题"),
            "min_length": _("描述太短，请至少写%(limit_value)d个字"),
            "max_length": _("描述最多%(limit_value)d个字（现在%(show_value)d个）"),
        },
    )
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(label=_("地址或位置说明"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("如：新泾路100号门口")}),
                              error_messages={"max_length": _("地址最多%(limit_value)d个字")})
    photos = PhotosField(label=_("现场照片（最多9张）"))
    is_anonymous = forms.BooleanField(label=_("匿名反映（不留联系方式）"), required=False)
    reporter_name = forms.CharField(label=_("联系人（选填）"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("联系电话（选填）"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, roles=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        sources = [s for role in (Role.OPERATOR, Role.GRID_STAFF) if role in roles
                   for s in STAFF_SOURCES[role]]
        if sources:
            self.fields["source"] = forms.ChoiceField(
                label=_("来源"), choices=[(s.value, s.label) for s in sources],
                error_messages={"invalid_choice": _("请选择有效的来源")},
            )
        if Role.GRID_STAFF in roles:
            self.fields["self_handled"] = forms.BooleanField(
                label=_("已现场自行处置"), required=False)
            self.fields["after_photos"] = PhotosField(label=_("处置后照片（自行处置时必填）"))

    def clean_reporter_phone(self):
        return phone_or_blank(self.cleaned_data["reporter_phone"])

    def clean(self):
        data = super().clean()
        lon, lat = data.get("longitude"), data.get("latitude")
        if lon is None or lat is None:
            self.add_error("longitude", forms.ValidationError(
                _("请在地图上点选问题位置，或点“使用我的位置”"), code="location_required"))
        elif not (LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]
                  and LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]):
            self.add_error("longitude", forms.ValidationError(
                _("位置不正确，请在地图上重新点选"), code="location_invalid"))
        if data.get("is_anonymous"):
            data["reporter_name"], data["reporter_phone"] = "", ""
        if data.get("self_handled"):
            for name, message in (("photos", _("自行处置须上传处置前照片")),
                                  ("after_photos", _("自行处置须上传处置后照片"))):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, forms.ValidationError(message, code="required"))
        return data


class TrackForm(forms.Form):
    code = forms.RegexField(
        label=_("查询码"), regex=r"^[2-9A-HJ-NP-Za-hj-np-z]{10}$", max_length=10,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off",
                                      "placeholder": _("10位查询码")}),
        error_messages={"required": _("请输入查询码"),
                        "invalid": _("查询码为10位字母和数字，请核对"),
                        "max_length": _("查询码为10位字母和数字，请核对")},
    )

    def clean_code(self):
        return self.cleaned_data["code"].upper()


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果的评价"), choices=Satisfaction.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度"), "invalid_choice": _("请选择满意程度")},
    )
    reason = forms.CharField(label=_("原因"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"max_length": _("原因最多%(limit_value)d个字")})


class WorkbenchFilterForm(forms.Form):
    """The filters of a queue; every value is optional, and a bad one is reported, not ignored."""

    q = forms.CharField(label=_("搜索"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("描述、地址或编号，如：井盖")}),
                        error_messages={"max_length": _("搜索词最多%(limit_value)d个字")})
    state = forms.ChoiceField(label=_("状态"), required=False, widget=PlainSelect,
                              choices=[("", _("全部状态"))] + list(State.choices))
    category = forms.ModelChoiceField(label=_("分类"), required=False, widget=PlainSelect,
                                      queryset=Category.objects.all(), empty_label=_("全部分类"))
    grid = forms.ModelChoiceField(label=_("网格"), required=False, queryset=Grid.objects.none(),
                                  empty_label=_("全部网格"), widget=PlainSelect)
    department = forms.ModelChoiceField(label=_("处置部门"), required=False, widget=PlainSelect,
                                        queryset=Department.objects.none(),
                                        empty_label=_("全部部门"))
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)
    date_from = forms.DateField(label=_("上报日期自"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("上报日期至"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("state", "category", "grid", "department"):
            self.fields[name].error_messages["invalid_choice"] = _("所选项不存在或不在您的范围内")
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("日期格式应为 年-月-日")
        # Only what the <select> shows: a boundary can be large.
        self.fields["grid"].queryset = Grid.objects.visible_to(user).only("pk", "name").order_by(
            "number")
        self.fields["department"].queryset = Department.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", forms.ValidationError(_("结束日期不能早于开始日期"),
                                                            code="invalid_range"))
        return data


MAX_BULK = 100


class CaseIdsField(forms.Field):
    """The ids of the cases ticked in a list, at most MAX_BULK."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        try:
            ids = list(dict.fromkeys(int(v) for v in values))
        except (TypeError, ValueError):
            raise forms.ValidationError(_("事件选择有误，请刷新页面后重试"), code="invalid") from None
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(_("一次最多派遣%(max)d件"), code="too_many",
                                        params={"max": MAX_BULK})
        return ids


class BulkDispatchForm(forms.Form):
    cases = CaseIdsField(error_messages={"required": _("请先勾选要派遣的事件")})
    department = forms.ModelChoiceField(
        label=_("派遣至"), queryset=Department.objects.none(), required=False,
        empty_label=_("按分类默认部门"), widget=PlainSelect,
        error_messages={"invalid_choice": _("所选部门不存在或不在您的范围内")},
    )
    note = forms.CharField(label=_("派遣意见"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user)


def _note_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("说明") if required else _("说明（选填）"), required=required, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写说明或理由"),
                        "max_length": _("说明最多%(limit_value)d个字")},
    )


# The fields each workflow input is asked by; `requires` of the transition makes them mandatory.
def _action_fields(case, user) -> dict:
    departments = Department.objects.filter(town_id=case.town_id)
    return {
        "category": lambda required: forms.ModelChoiceField(
            label=_("分类"), required=required, queryset=Category.objects.filter(is_active=True),
            initial=case.category_id, widget=PlainSelect, error_messages={"invalid_choice": _("请选择有效的分类")}),
        "urgency": lambda required: forms.ChoiceField(
            label=_("紧急程度"), required=required, choices=Urgency.choices, initial=case.urgency),
        "department": lambda required: forms.ModelChoiceField(
            label=_("处置部门"), required=required, queryset=departments,
            empty_label=_("按分类默认部门"), widget=PlainSelect,
            error_messages={"required": _("请选择处置部门"),
                            "invalid_choice": _("只能派遣给本镇/街道的部门")}),
        "departments": lambda required: forms.ModelMultipleChoiceField(
            label=_("召集部门"), required=required, queryset=departments,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("请选择要召集的部门"),
                            "invalid_choice": _("只能召集本镇/街道的部门")}),
        "working_days": lambda required: forms.IntegerField(
            label=_("延期工作日"), required=required, min_value=1, max_value=30,
            error_messages={"required": _("请填写延期天数"), "invalid": _("请填写整数天数"),
                            "min_value": _("延期天数应为1到30个工作日"),
                            "max_value": _("延期天数应为1到30个工作日")}),
        "into": lambda required: forms.CharField(
            label=_("合并到事件编号"), required=required, max_length=20,
            error_messages={"required": _("请填写要合并到的事件编号")}),
        "satisfaction": lambda required: forms.ChoiceField(
            label=_("满意程度"), required=required, choices=Satisfaction.choices,
            widget=forms.RadioSelect, error_messages={"required": _("请选择满意程度")}),
        "reason": lambda required: forms.CharField(
            label=_("不满意原因"), required=required, max_length=500),
        "after_photos": lambda required: PhotosField(label=_("处置后照片"), required=required),
        "photos": lambda required: PhotosField(label=_("现场照片（选填）"), required=required),
    }


# Inputs an action asks for beyond its transition's `requires` (optional ones).
OPTIONAL_INPUTS = {
    "register": ("category", "urgency"),
    "dispatch": ("department",),
    "evaluate": ("reason",),
    "verify": ("photos",),
    "fail_verification": ("photos",),
}


class ActionForm(forms.Form):
    """The inputs of one workflow action on one case, from its transition's `requires`."""

    def __init__(self, transition, case, user, *args, **kwargs):
        kwargs.setdefault("prefix", transition.action)
        super().__init__(*args, **kwargs)
        self.transition = transition
        makers = _action_fields(case, user)
        self.fields["note"] = _note_field("note" in transition.requires)
        for name in (*transition.requires, *OPTIONAL_INPUTS.get(transition.action, ())):
            if name != "note" and name not in self.fields:
                self.fields[name] = makers[name](name in transition.requires)
        # The note last: what is chosen first, then why.
        self.fields["note"] = self.fields.pop("note")
        self.user = user

    def clean_into(self):
        """The case to merge into, by its number, among the cases this user may see."""
        number = self.cleaned_data["into"].strip().upper()
        target = Case.objects.visible_to(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(_("未找到编号为%(number)s的事件，或不在您的范围内"),
                                        code="not_found", params={"number": number})
        return target

    def action_data(self) -> dict:
        """Keyword arguments for actions.act(): blank optional inputs are left out."""
        return {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "", [], ()) or name == "note"}
