"""Pages of the visiting team: the team page (plans, open needs, coverage of visits), the
visit record form for phones (offline: a service worker keeps the page, the page's script keeps
unsent records and sends them with their idempotency key), a record with its follow-ups."""

import datetime as dt
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov.accounts.models import RoleAssignment
from gridgov.cases.forms import PhotosField
from gridgov.cases.models import Category
from gridgov.core.access import role_required, visible_or_404
from gridgov.core.errors import Refusal, refusal_response
from gridgov.core.photos import photo_response
from gridgov.grids.models import Grid, Place

from . import coverage, visits
from .models import (
    Organisation,
    ServiceItem,
    VisitNeed,
    VisitPhoto,
    VisitPlan,
    VisitRecord,
)
from .rules import COVERAGE_READERS, VISIT_PLANNERS, VISIT_TEAM
from .views import _int

TEAM_MESSAGE = gettext_lazy("只有走访服务团队可以使用此页面")
READERS = VISIT_TEAM | COVERAGE_READERS
MAX_PERIOD_DAYS = 366


def _date(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return default


def period(request) -> tuple[dt.date, dt.date]:
    """?start=&end= as dates, at most a year apart, else the last 30 days."""
    today = timezone.localdate()
    end = _date(request.GET.get("end"), today)
    start = _date(request.GET.get("start"), end - dt.timedelta(days=29))
    if start > end or (end - start).days > MAX_PERIOD_DAYS:
        start, end = today - dt.timedelta(days=29), today
    return start, end


class VisitForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "invalid": gettext_lazy("提交标识无效，请刷新页面"),
        "required": gettext_lazy("提交标识无效，请刷新页面")})
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                          label=gettext_lazy("走访对象（企业/商户/群体）"))
    place = forms.ModelChoiceField(queryset=Place.objects.none(), required=False,
                                   label=gettext_lazy("或走访地点（楼宇/街区）"))
    plan = forms.ModelChoiceField(queryset=VisitPlan.objects.none(), required=False,
                                  label=gettext_lazy("所属走访计划"))
    visited_on = forms.DateField(label=gettext_lazy("走访日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    visitors = forms.CharField(label=gettext_lazy("走访人员"), max_length=200)
    people_met = forms.CharField(label=gettext_lazy("接待人"), max_length=200, required=False)
    questions = forms.CharField(label=gettext_lazy("咨询的问题"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    answers = forms.CharField(label=gettext_lazy("现场解答"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=gettext_lazy("发现的诉求（每行一条）"), required=False,
                            max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=gettext_lazy("照片"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(
            user, roles=VISIT_TEAM).order_by("name")
        self.fields["place"].queryset = Place.objects.visible_to(user).filter(
            kind__in=coverage.VISITED_PLACE_KINDS).order_by("name")
        self.fields["plan"].queryset = VisitPlan.objects.visible_to(user, roles=VISIT_TEAM)

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("place")):
            raise forms.ValidationError(_("请选择走访对象或走访地点（二选一）"))
        return data


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(VISIT_TEAM, TEAM_MESSAGE)
def visit_new(request):
    initial = {"visited_on": timezone.localdate(), "visitors": getattr(request.user, "name", ""),
               "organisation": _int(request.GET.get("organisation")),
               "place": _int(request.GET.get("place")), "plan": _int(request.GET.get("plan"))}
    form = VisitForm(request.user, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                record, created = visits.submit_visit(
                    actor=request.user, key=data["key"], visited_on=data["visited_on"],
                    visitors=data["visitors"], place=data["place"],
                    organisation=data["organisation"], plan=data["plan"],
                    people_met=data["people_met"], questions=data["questions"],
                    answers=data["answers"], needs=data["needs"].splitlines(),
                    photos=data["photos"])
            except Refusal as refusal:
                if _wants_json(request):
                    return refusal_response(refusal)
                refusal.show_on(form)
            else:
                url = reverse("services:visit", args=[record.pk])
                if _wants_json(request):
                    return JsonResponse({"id": record.pk, "url": url, "created": created},
                                        status=201 if created else 200)
                messages.success(request, _("走访记录已提交") if created else _("该记录此前已提交"))
                return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": [
                {"field": field, "code": "invalid", "message": " ".join(errors)}
                for field, errors in form.errors.items()]}, status=400)
    return render(request, "services/visit_form.html", {"form": form},
                  status=400 if form.errors else 200)


def service_worker(request):
    """The service worker, from its static file, served under /services/visits/ so that it may
    control the visit pages (a worker's scope is the path it is served from)."""
    source = Path(__file__).parent / "static" / "services" / "visit-sw.js"
    response = HttpResponse(source.read_text(encoding="utf-8"),
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@role_required(READERS, TEAM_MESSAGE)
def visits_home(request):
    start, end = period(request)
    user = request.user
    plans = VisitPlan.objects.visible_to(user, roles=READERS).filter(
        due_on__gte=timezone.localdate() - dt.timedelta(days=30)).prefetch_related(
        "organisations", "places", "visitors")
    records = VisitRecord.objects.visible_to(user, roles=READERS).select_related(
        "organisation", "place", "grid")[:20]
    needs = VisitNeed.objects.visible_to(user, roles=READERS).open().select_related(
        "record__organisation", "record__place")[:50]
    organisations = coverage.visited_organisations(user, start, end)
    places = coverage.visited_places(user, start, end)
    return render(request, "services/visits.html", {
        "plans": plans, "records": records, "needs": needs, "start": start, "end": end,
        "organisation_summary": coverage.visit_summary(organisations),
        "place_summary": coverage.visit_summary(places),
        "not_visited": organisations.filter(visits=0)[:50],
        "places_not_visited": places.filter(visits=0)[:50],
        "may_plan": bool(set(VISIT_PLANNERS) & _roles(user)) or user.is_superuser,
    })


def _roles(user) -> set[str]:
    from gridgov.core.scope import roles_of

    return roles_of(user)


class FollowUpApplicationForm(forms.Form):
    item = forms.ModelChoiceField(queryset=ServiceItem.objects.none(),
                                  label=gettext_lazy("服务项目"))
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)

    def __init__(self, town_id, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ServiceItem.objects.active().filter(town_id=town_id)


class FollowUpCaseForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True),
                                      label=gettext_lazy("事件分类"))


def _record_context(request, record, failed=None):
    needs = list(record.needs.select_related("application", "case"))
    for need in needs:
        need.application_form = FollowUpApplicationForm(record.town_id, prefix=f"a{need.pk}")
        need.case_form = FollowUpCaseForm(prefix=f"c{need.pk}")
        if failed and failed[0] == need.pk:
            setattr(need, failed[1], failed[2])
    return {"record": record, "needs": needs,
            "photos": list(record.photos.all()),
            "may_follow_up": visits.covers(request.user, VISIT_TEAM, town_id=record.town_id,
                                           grid=record.grid)}


def _visible_record(user, pk):
    return visible_or_404(VisitRecord.objects.select_related(
        "organisation__building", "place", "grid", "plan"), user, roles=READERS, pk=pk)


@role_required(READERS, TEAM_MESSAGE)
def visit_detail(request, pk):
    record = _visible_record(request.user, pk)
    return render(request, "services/visit.html", _record_context(request, record))


@role_required(READERS, TEAM_MESSAGE)
def visit_photo(request, pk, photo_id):
    record = _visible_record(request.user, pk)
    return photo_response(get_object_or_404(VisitPhoto, record=record, pk=photo_id).image)


@role_required(VISIT_TEAM, TEAM_MESSAGE)
@require_POST
def follow_up(request, pk, how):
    need = visible_or_404(VisitNeed.objects.select_related("record"), request.user,
                          roles=VISIT_TEAM, pk=pk)
    record = _visible_record(request.user, need.record_id)
    if how not in ("application", "case", "answered"):
        raise Http404
    try:
        if how == "answered":
            visits.mark_answered(need, actor=request.user)
        elif how == "application":
            form = FollowUpApplicationForm(record.town_id, request.POST, prefix=f"a{need.pk}")
            if not form.is_valid():
                return render(request, "services/visit.html", _record_context(
                    request, record, (need.pk, "application_form", form)), status=400)
            application = visits.follow_up_as_application(need, actor=request.user,
                                                          **form.cleaned_data)
            messages.success(request, _("已转为服务申请 %(n)s") % {"n": application.number})
        else:
            form = FollowUpCaseForm(request.POST, prefix=f"c{need.pk}")
            if not form.is_valid():
                return render(request, "services/visit.html", _record_context(
                    request, record, (need.pk, "case_form", form)), status=400)
            case = visits.follow_up_as_case(need, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已转为网格事件 %(n)s") % {"n": case.number})
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return redirect("services:visit", pk=record.pk)
    return redirect("services:visit", pk=record.pk)


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("计划名称"), max_length=100)
    grid = forms.ModelChoiceField(queryset=Grid.objects.none(), required=False,
                                  label=gettext_lazy("网格（不选为全镇）"))
    starts_on = forms.DateField(label=gettext_lazy("开始日期"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_on = forms.DateField(label=gettext_lazy("完成期限"),
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    visitors = forms.ModelMultipleChoiceField(queryset=None, label=gettext_lazy("走访人员"),
                                              widget=forms.CheckboxSelectMultiple)
    organisations = forms.ModelMultipleChoiceField(queryset=Organisation.objects.none(),
                                                   required=False,
                                                   label=gettext_lazy("走访对象"))
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, user, town, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gridgov.accounts.models import User

        self.fields["grid"].queryset = Grid.objects.visible_to(user).filter(town=town)
        team = RoleAssignment.objects.filter(role__in=VISIT_TEAM).filter(
            Q(scope_kind="town", scope_id=town.pk)
            | Q(scope_kind="grid", scope_id__in=Grid.objects.filter(town=town).values("pk"))
            | Q(scope_kind="community", scope_id__in=town.communities.values("pk")))
        self.fields["visitors"].queryset = User.objects.filter(
            pk__in=team.values("user_id")).order_by("pk")
        self.fields["organisations"].queryset = Organisation.objects.visible_to(
            user, roles=VISIT_PLANNERS).order_by("name")


@role_required(VISIT_PLANNERS, _("只有党建办、城运中心和镇领导可以制定走访计划"))
def plan_new(request):
    from gridgov.grids.models import Town

    town = Town.objects.visible_to(request.user, roles=VISIT_PLANNERS).order_by("pk").first()
    if town is None:
        raise Http404
    today = timezone.localdate()
    form = PlanForm(request.user, town, request.POST or None,
                    initial={"starts_on": today, "due_on": today + dt.timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visits.create_plan(actor=request.user, town=town, title=data["title"],
                               grid=data["grid"], starts_on=data["starts_on"],
                               due_on=data["due_on"], visitors=data["visitors"],
                               organisations=data["organisations"], note=data["note"])
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("走访计划已创建"))
            return redirect("services:visits")
    return render(request, "services/plan_form.html", {"form": form, "town": town})

