"""Forms of the case pages: they check input and say in plain Chinese what is wrong; the writes
themselves are gridgov.cases.actions."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.actions import NEW_RESIDENT_NAME
from gridgov.cases import pending
from gridgov.cases.models import Category, Source, State
from gridgov.cases.workflow import NOTE, REASON, REPORT, SATISFACTION, sources_for
from gridgov.core import params, photos
from gridgov.core import pii
from gridgov.core.errors import Refusal
from gridgov.core.forms import ChineseLabels
from gridgov.grids.models import Department, Grid

MAX_PHOTOS = photos.max_per_report()


class PlainSelect(forms.Select):
    """A <select> written out in Python: Django renders each option through a template of its
    own, which costs tens of milliseconds for a catalogue of a hundred categories on a list page
    that is opened all day long."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = str(value) if value not in (None, "") else ""
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (str(key), mark_safe(" selected") if str(key) == chosen else "", label)  # nosec B308  # a constant attribute
            for key, label in self.choices
        ))
        return format_html("<select name=\"{}\"{}>{}</select>", name,
                           flatatt(self.build_attrs(self.attrs, attrs)), options)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images in one input, each checked and stripped of its metadata by
    gridgov.core.photos here already, so that a bad file is named before anything is saved."""

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
    if value and not pii.is_valid_contact_phone(value):
        raise forms.ValidationError(_("请输入11位手机号码或带区号的固定电话"), code="invalid_phone")
    return value


def _report_field(name: str, **overrides) -> forms.Field:
    """A field of the report form as the report transition declares it (bounds, messages)."""
    return REPORT.input(name).form_field(**overrides)


class ReportForm(ChineseLabels, forms.Form):
    """The report, its limits from gridgov.cases.workflow.REPORT_INPUTS; the source only for
    staff, with the sources the source policy lets this user use."""

    category = _report_field("category", label=_("问题类型"),
                             error_messages={"required": _("请选择问题类型"),
                                             "invalid_choice": _("请选择有效的问题类型")})
    description = _report_field(
        "description", widget=forms.Textarea(attrs={"rows": 4,
                                                   "placeholder": _("什么问题、在哪里、持续多久了")}))
    longitude = _report_field("longitude", widget=forms.HiddenInput, required=False)
    latitude = _report_field("latitude", widget=forms.HiddenInput, required=False)
    address = _report_field("address", widget=forms.TextInput(
        attrs={"placeholder": _("如：新泾路100号门口")}))
    photos = PhotosField(label=_("现场照片（最多9张）"))
    photos.widget.attrs["data-photos"] = "new-photos"  # photos.js: thumbnails, shrinking
    # The key of the photos kept from a submission that came back with an error (pending.py).
    kept = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    is_anonymous = _report_field("is_anonymous")
    reporter_name = _report_field("reporter_name", label=_("联系人（选填）"))
    reporter_phone = _report_field(
        "reporter_phone", label=_("联系电话（选填）"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        sources = sources_for(user)
        if sources == [Source.RESIDENT] and getattr(user, "is_authenticated", False):
            # A signed-in resident's own name and number, filled in (they may change them).
            if user.name and user.name != NEW_RESIDENT_NAME:
                self.fields["reporter_name"].initial = user.name
            self.fields["reporter_phone"].initial = user.phone
        # Staff filing a find of their own (巡查) give no contact: the section is left out for
        # grid staff, and hidden while 巡查 is the chosen source for anyone who has others.
        self.asks_contact = not (set(sources) - {Source.RESIDENT} <= {Source.PATROL}) or (
            sources == [Source.RESIDENT])
        if not self.asks_contact:
            for name in ("is_anonymous", "reporter_name", "reporter_phone"):
                del self.fields[name]
        if sources != [Source.RESIDENT]:
            self.fields["source"] = _report_field(
                "source", required=True, choices=[
                    (s, Source(s).label) for s in (*sources[1:], sources[0])])
        if Source.PATROL in sources:
            self.fields["self_handled"] = _report_field("self_handled")
            self.fields["after_photos"] = PhotosField(label=_("处置后照片（自行处置时必填）"))
            self.fields["after_photos"].widget.attrs["data-photos"] = "after-photos"

    def clean_reporter_phone(self):
        return phone_or_blank(self.cleaned_data["reporter_phone"])

    def contact_hidden(self) -> bool:
        """Whether the contact section starts hidden: a staff source of one's own find chosen."""
        field = self.fields.get("source")
        if field is None:
            return False
        value = self["source"].value() or (field.choices[0][0] if field.choices else "")
        return value == Source.PATROL

    def clean_kept(self):
        key = self.cleaned_data["kept"]
        return key if pending.valid_key(key) else ""

    def kept_choice(self) -> tuple[str, list[str]]:
        """The key of the photos kept from the last try, and those of them still chosen."""
        key = self.data.get("kept", "") if self.is_bound else ""
        if not pending.valid_key(key):
            return "", []
        chosen = set(self.data.getlist("kept_photo")) if hasattr(self.data, "getlist") else set()
        return key, [name for name in pending.names(key) if name in chosen]

    def clean(self):
        data = super().clean()
        # The photos: those kept from the last try, then the ones chosen now, nine at most.
        self.new_photos = data.get("photos") or []
        if "photos" not in self.errors:
            key, chosen = self.kept_choice()
            data["photos"] = pending.open_kept(key, chosen) + self.new_photos
            if len(data["photos"]) > MAX_PHOTOS:
                self.add_error("photos", forms.ValidationError(
                    _("最多上传%(max)d张照片，您选择了%(count)d张"), code="too_many",
                    params={"max": MAX_PHOTOS, "count": len(data["photos"])}))
        if "longitude" not in self.errors and "latitude" not in self.errors and (
                data.get("longitude") is None or data.get("latitude") is None):
            self.add_error("longitude", forms.ValidationError(
                _("请在地图上点选问题位置，或点“使用我的位置”"), code="location_required"))
        if "latitude" in self.errors:  # one message for the one point
            problems = self.errors.pop("latitude")
            if "longitude" not in self.errors:
                self.add_error("longitude", problems.as_data())
        if data.get("is_anonymous") or data.get("source") == Source.PATROL:
            data["reporter_name"], data["reporter_phone"] = "", ""
            data["is_anonymous"] = bool(data.get("is_anonymous"))
        if data.get("self_handled"):
            for name, message in (("photos", _("自行处置须上传处置前照片")),
                                  ("after_photos", _("自行处置须上传处置后照片"))):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, forms.ValidationError(message, code="required"))
        return data


class TrackForm(ChineseLabels, forms.Form):
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


class RateForm(ChineseLabels, forms.Form):
    """The reporter's rating, as the evaluate transition declares it."""

    satisfaction = SATISFACTION.form_field(label=_("您对办理结果的评价"), widget=forms.RadioSelect)
    reason = REASON.form_field(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))


class WorkbenchFilterForm(forms.Form):
    """The filters of a queue; every value is optional, and a bad one is reported, not ignored."""

    q = params.SearchField(label=_("搜索"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("描述、地址或编号，如：井盖")}),
                        error_messages={"max_length": _("搜索词最多%(limit_value)d个字")})
    state = forms.ChoiceField(label=_("状态"), required=False, widget=PlainSelect,
                              choices=[("", _("全部状态"))] + list(State.choices))
    category = params.RowChoiceField(label=_("分类"), required=False, widget=PlainSelect,
                                      queryset=Category.objects.all(), empty_label=_("全部分类"))
    grid = params.RowChoiceField(label=_("网格"), required=False, queryset=Grid.objects.none(),
                                  empty_label=_("全部网格"), widget=PlainSelect)
    department = params.RowChoiceField(label=_("处置部门"), required=False, widget=PlainSelect,
                                        queryset=Department.objects.none(),
                                        empty_label=_("全部部门"))
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)
    date_from = params.DayField(label=_("上报日期自"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = params.DayField(label=_("上报日期至"), required=False,
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
    note = NOTE.form_field(label=_("派遣意见"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user)


class ActionForm(forms.Form):
    """The inputs of one workflow action on one case, as its transition declares them
    (gridgov.cases.workflow): the choices, bounds and messages are the rule's own."""

    def __init__(self, transition, case, user, *args, **kwargs):
        kwargs.setdefault("prefix", transition.action)
        super().__init__(*args, **kwargs)
        self.transition = transition
        for item in transition.inputs:
            self.fields[item.name] = _action_field(item, case, user)
        # The note last: what is chosen first, then why.
        self.fields["note"] = self.fields.pop("note")

    def action_data(self) -> dict:
        """Keyword arguments for actions.act(): blank optional inputs are left out."""
        return {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "", [], ()) or name == "note"}


# How each kind of input looks on a phone; the rule (bounds, required) is the declaration's.
_WIDGETS = {
    "note": lambda: forms.Textarea(attrs={"rows": 2}),
    "reply": lambda: forms.Textarea(attrs={"rows": 2}),
    "departments": lambda: forms.CheckboxSelectMultiple,
    "satisfaction": lambda: forms.RadioSelect,
    "category": lambda: PlainSelect,
    "department": lambda: PlainSelect,
}


def _action_field(item, case, user) -> forms.Field:
    options = {}
    if item.name in _WIDGETS:
        options["widget"] = _WIDGETS[item.name]()
    if item.kind == "files":
        return PhotosField(label=item.label, required=item.required)
    field = item.form_field(obj=case, actor=user, **options)
    if item.name == "department":
        field.empty_label = _("按分类默认部门")
    if item.name in ("category", "urgency"):
        field.initial = getattr(case, f"{item.name}_id" if item.name == "category" else item.name)
    return field
