"""The alliance's pages (Chinese, phone first). Thin: look up inside the visible queryset, call
one action, show a Refusal on the form or as a message."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.core import audit, pii, tabular
from gridgov.core.access import role_required
from gridgov.core.errors import Refusal
from gridgov.volunteers import actions, certificate, ledger, tokens
from gridgov.volunteers.forms import ActivityForm, ApplicationForm, action_form
from gridgov.volunteers.models import (
    ALLIANCE_ROLES,
    Activity,
    Organisation,
    Organiser,
    Project,
    SignatureService,
    Signup,
    SignupState,
    Volunteer,
    VolunteerState,
    alliance_towns,
)
from gridgov.volunteers.pages import is_manager, managed_volunteers
from gridgov.volunteers.workflow import SIGNUP_WORKFLOW, VOLUNTEER_WORKFLOW

Grid = Activity._meta.get_field("grid").related_model


def _int(request, name, *, low=1, high=10**9):
    """A bounded whole-number query parameter, or None (junk is ignored, never a 500)."""
    raw = request.GET.get(name, "")
    if not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _centre(grid):
    return ((grid.min_longitude + grid.max_longitude) / 2,
            (grid.min_latitude + grid.max_latitude) / 2)


def _point(activity):
    if activity.longitude is not None and activity.latitude is not None:
        return activity.longitude, activity.latitude
    return _centre(activity.grid)


# ----- public ---------------------------------------------------------------------------------

def calendar(request):
    """Upcoming activities by day, and on a map by grid; anyone may read them."""
    activities = Activity.objects.upcoming().select_related("grid", "project", "organisation")
    grid_id = _int(request, "grid")
    if grid_id:
        activities = activities.filter(grid_id=grid_id)
    activities = list(activities[:200])
    days = {}
    for activity in activities:
        days.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    points = [{"id": a.pk, "title": a.title, "grid": a.grid.name, "place": a.place_name,
               "when": timezone.localtime(a.starts_at).strftime("%m-%d %H:%M"),
               "url": reverse("volunteers:activity", args=[a.pk]),
               "lon": _point(a)[0], "lat": _point(a)[1]} for a in activities]
    grids = Grid.objects.filter(pk__in=Activity.objects.upcoming().values("grid")).order_by("number")
    return render(request, "volunteers/calendar.html", {
        "days": sorted(days.items()), "grids": grids, "grid_id": grid_id,
        "map_data": {"points": points}, "projects": Project.objects.order_by("id")[:20],
        "signatures": SignatureService.objects.select_related("grid", "project")[:50],
    })


def activity_detail(request, pk):
    activity = get_object_or_404(Activity.objects.select_related(
        "grid", "project", "organisation"), pk=pk)
    mine = Signup.objects.of(request.user).active().filter(activity=activity).first()
    return render(request, "volunteers/activity.html", {
        "activity": activity, "mine": mine,
        "my_actions": SIGNUP_WORKFLOW.allowed_actions(mine, request.user) if mine else [],
        "skills": activity.required_skills.all(),
        "manages": Activity.objects.managed_by(request.user).filter(pk=pk).exists(),
    })


def project_detail(request, pk):
    project = get_object_or_404(Project.objects.select_related("lead"), pk=pk)
    counted = ledger.counted_signups().filter(activity__project=project)
    return render(request, "volunteers/project.html", {
        "project": project, "grids": project.grids.order_by("number"),
        "signatures": project.signatures.select_related("grid"),
        "upcoming": Activity.objects.upcoming().filter(project=project).select_related("grid")[:30],
        "hours": round((counted.aggregate(m=Sum("minutes"))["m"] or 0) / 60, 1),
        "services": counted.count(),
        "volunteers": counted.values("volunteer").distinct().count(),
    })


# ----- a volunteer's own pages --------------------------------------------------------------

@login_required
def join(request):
    organisations = Organisation.objects.order_by("town", "name")
    grids = Grid.objects.order_by("town", "number")
    form = ApplicationForm(request.POST or None, organisations=organisations, grids=grids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.apply(actor=request.user, town=data["organisation"].town,
                          organisation=data["organisation"], project=data["project"],
                          skills=data["skills"], grids=data["grids"],
                          availability=data["availability"],
                          **{i.name: form.data.get(i.name, "") for i in actions.APPLICATION_INPUTS})
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("申请已提交，审核通过后即可报名活动"))
            return redirect("volunteers:me")
    return render(request, "volunteers/join.html", {"form": form})


@login_required
def me(request):
    records = list(Volunteer.objects.of(request.user).select_related("organisation", "project"))
    signups = (Signup.objects.of(request.user).select_related("activity", "activity__grid")
               .order_by("-activity__starts_at")[:100])
    return render(request, "volunteers/me.html", {
        "records": [(v, ledger.volunteer_totals(v),
                     VOLUNTEER_WORKFLOW.allowed_actions(v, request.user)) for v in records],
        "signups": [(s, SIGNUP_WORKFLOW.allowed_actions(s, request.user)) for s in signups],
    })


@login_required
def scan(request, token):
    """Opened from the organiser's QR code: confirm, then check in or out."""
    try:
        payload = tokens.read(token)
    except Refusal as refusal:
        return render(request, "volunteers/scan.html", {"error": refusal.message}, status=400)
    activity = get_object_or_404(Activity, pk=payload["activity_id"])
    if request.method == "POST":
        try:
            signup = actions.attend_by_token(token, actor=request.user)
        except Refusal as refusal:
            return render(request, "volunteers/scan.html", {
                "activity": activity, "kind": payload["kind"], "error": refusal.message},
                status=refusal.status)
        if signup.state == SignupState.COMPLETED:
            messages.success(request, _("签退成功，本次服务 %(hours)s 小时") % {"hours": signup.hours})
        else:
            messages.success(request, _("签到成功"))
        return redirect("volunteers:me")
    return render(request, "volunteers/scan.html", {"activity": activity, "kind": payload["kind"]})


@login_required
@require_POST
def sign_up(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        signup = actions.sign_up(activity, actor=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("报名成功") if signup.state == SignupState.CONFIRMED
                         else _("名额已满，您已进入候补名单"))
    return redirect("volunteers:activity", pk=pk)


@login_required
@require_POST
def signup_act(request, pk, action):
    """A move on a sign-up: the volunteer's own (cancel) or an organiser's (roll-call,
    correction); the sign-up is looked up among the user's own or managed ones."""
    signup = get_object_or_404(
        Signup.objects.filter(Q(volunteer__user=request.user)
                              | Q(activity__in=Activity.objects.managed_by(request.user))),
        pk=pk)
    t = next((t for t in SIGNUP_WORKFLOW.transitions if t.action == action and not t.system), None)
    if t is None:
        raise Http404
    form = action_form(t, request.POST)
    back = request.POST.get("next") or reverse("volunteers:activity", args=[signup.activity_id])
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("volunteers:me")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        actions.act(signup, action, actor=request.user, **form.cleaned_data)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已%(label)s") % {"label": t.label})
    return redirect(back)


@login_required
def certificate_page(request, pk):
    volunteer = _volunteer_for_certificate(request, pk)
    figures = ledger.volunteer_totals(volunteer)
    if request.GET.get("format") == "docx":
        certificate.record_issue(volunteer, actor=request.user, kind="docx")
        return certificate.docx_response(volunteer, figures)
    certificate.record_issue(volunteer, actor=request.user, kind="html")
    return render(request, "volunteers/certificate.html", {
        "volunteer": volunteer, "figures": figures, "today": timezone.localdate(),
        "docx": certificate.DOCX_AVAILABLE})


def _volunteer_for_certificate(request, pk):
    """One's own record, or (for the alliance's office) a volunteer of their town."""
    own = Volunteer.objects.of(request.user).filter(pk=pk).first()
    if own is not None:
        return own
    return get_object_or_404(Volunteer.objects.visible_to(request.user, roles=ALLIANCE_ROLES),
                             pk=pk)


# ----- organisers and the alliance's office ---------------------------------------------------

def _manager_required(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if not is_manager(request.user):
        raise PermissionDenied(_("只有志愿服务组织者和联盟办公室可以访问此页面"))
    return None


def manage(request):
    refused = _manager_required(request)
    if refused:
        return refused
    volunteers = managed_volunteers(request.user).select_related("organisation", "project")
    pending = volunteers.filter(state__in=[VolunteerState.APPLIED,
                                           VolunteerState.AWAITING_CONSENT])[:100]
    activities = (Activity.objects.managed_by(request.user).select_related("grid", "project")
                  .filter(ends_at__gte=timezone.now() - dt.timedelta(days=3))
                  .order_by("starts_at")[:100])
    return render(request, "volunteers/manage.html", {
        "pending": [(v, VOLUNTEER_WORKFLOW.allowed_actions(v, request.user)) for v in pending],
        "activities": activities,
        "approved_count": volunteers.filter(state=VolunteerState.APPROVED).count(),
    })


@require_POST
def volunteer_act(request, pk, action):
    """A move on a volunteer record: an organiser's decision, or the volunteer's own (withdraw)."""
    own = Volunteer.objects.of(request.user).filter(pk=pk).first()
    refused = None if own else _manager_required(request)
    if refused:
        return refused
    volunteer = own or get_object_or_404(managed_volunteers(request.user), pk=pk)
    t = next((t for t in VOLUNTEER_WORKFLOW.transitions if t.action == action), None)
    if t is None:
        raise Http404
    form = action_form(t, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("volunteers:manage")
    try:
        actions.act_on_volunteer(volunteer, action, actor=request.user, **form.cleaned_data)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已%(label)s：%(name)s") % {"label": t.label, "name": volunteer})
    return redirect("volunteers:me" if own else "volunteers:manage")


def activity_new(request):
    refused = _manager_required(request)
    if refused:
        return refused
    user = request.user
    if user.is_superuser:
        organisations = Organisation.objects.all()
    else:
        organisations = Organisation.objects.filter(
            Q(town_id__in=alliance_towns(user))
            | Q(pk__in=Organiser.objects.filter(user=user).values("organisation_id")))
    towns = organisations.values("town_id")
    form = ActivityForm(request.POST or None, organisations=organisations,
                        projects=Project.objects.filter(town_id__in=towns),
                        grids=Grid.objects.filter(town_id__in=towns).order_by("number"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = actions.create_activity(
                actor=user, organisation=data["organisation"], project=data["project"],
                grid=data["grid"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                skills=data["skills"], **{i.name: data.get(i.name) for i in actions.ACTIVITY_INPUTS})
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("活动已发布"))
            return redirect("volunteers:roll_call", pk=activity.pk)
    return render(request, "volunteers/activity_new.html", {"form": form})


def roll_call(request, pk):
    """The organiser's phone page: the QR code to scan (check-in or check-out, refreshed before
    it expires), and the roll with a button per move."""
    refused = _manager_required(request)
    if refused:
        return refused
    activity = get_object_or_404(Activity.objects.managed_by(request.user).select_related(
        "grid", "project", "organisation"), pk=pk)
    kind = "out" if request.GET.get("kind") == "out" else "in"
    token = tokens.make(activity.pk, kind)
    url = request.build_absolute_uri(reverse("volunteers:scan", args=[token]))
    signups = (activity.signups.active().select_related("volunteer")
               .order_by("state", "created_at", "id"))
    correct = next(t for t in SIGNUP_WORKFLOW.transitions if t.action == "correct")
    return render(request, "volunteers/roll_call.html", {
        "activity": activity, "kind": kind, "qr_svg": tokens.svg(url), "scan_url": url,
        "refresh_seconds": max(30, min(120, _qr_seconds() - 60)),
        "roll": [(s, [t for t in SIGNUP_WORKFLOW.allowed_actions(s, request.user)
                      if t.action != "correct"],
                  correct in SIGNUP_WORKFLOW.allowed_actions(s, request.user)) for s in signups],
        "correct_form": action_form(correct),
    })


@require_POST
def activity_cancel(request, pk):
    refused = _manager_required(request)
    if refused:
        return refused
    activity = get_object_or_404(Activity.objects.managed_by(request.user), pk=pk)
    try:
        actions.cancel_activity(activity, actor=request.user, reason=request.POST.get("reason", ""))
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("活动已取消，已通知报名的志愿者"))
    return redirect("volunteers:roll_call", pk=pk)


@require_POST
def reveal_phone(request, pk):
    """The full phone number of a volunteer the organiser manages (to call them), audited."""
    refused = _manager_required(request)
    if refused:
        return refused
    volunteer = get_object_or_404(managed_volunteers(request.user), pk=pk)
    phone = pii.reveal(volunteer, "phone", actor=request.user,
                       may_reveal=lambda actor, v: managed_volunteers(actor).filter(pk=v.pk).exists())
    return render(request, "volunteers/reveal.html", {"volunteer": volunteer, "phone": phone})


def _qr_seconds():
    from django.conf import settings

    return settings.GRIDGOV_VOLUNTEER_QR_SECONDS


@role_required(ALLIANCE_ROLES, _("只有联盟办公室可以查看服务时长台账"))
def ledger_page(request):
    towns = _towns(request.user)
    year = _int(request, "year", low=2000, high=2100)
    if request.GET.get("year") is None:
        year = timezone.localdate().year
    rows, count, offset, following = ledger.ranking(
        towns, year=year, after=ledger.parse_cursor(request.GET.get("after")))
    names = dict(Organisation.objects.filter(pk__in={r[4] for r in rows}).values_list("pk", "name"))
    return render(request, "volunteers/ledger.html", {
        "year": year, "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "rows": [{"pk": r[0], "name": pii.mask_name(r[1]), "hours": round(r[2] / 60, 1),
                  "services": r[3], "star": ledger.star_for(r[2]) if year is None else None,
                  "organisation": names.get(r[4], "")}
                 for r in rows],
        "offset": offset, "following": following, "count": count,
        "by_project": ledger.unit_totals(towns, by="project", year=year),
        "by_grid": ledger.unit_totals(towns, by="grid", year=year)[:30],
        "by_organisation": ledger.unit_totals(towns, by="organisation", year=year)[:30],
    })


def _towns(user):
    if user.is_superuser:
        Town = Activity._meta.get_field("town").related_model
        return list(Town.objects.values_list("pk", flat=True))
    return sorted(alliance_towns(user))


CITY_HEADER = ("序号", "志愿者姓名", "证件类型", "证件号码", "手机号码", "活动名称", "服务日期",
               "签到时间", "签退时间", "服务时长（小时）", "服务地点", "所属项目", "组织单位")


@role_required(ALLIANCE_ROLES, _("只有联盟办公室可以导出服务时长"))
def export_hours(request):
    """The period's service records in the columns of the city's volunteer registration system
    (one row per attendance with hours). Phone and ID numbers are masked unless the office asks
    for them in full (`full=1`, to upload to the city's system), which is audited."""
    towns = _towns(request.user)
    year = _int(request, "year", low=2000, high=2100) or timezone.localdate().year
    month = _int(request, "month", low=1, high=12)
    full = request.GET.get("full") == "1"
    signups = (ledger.counted_signups().filter(activity__town_id__in=towns,
                                               activity__starts_at__year=year)
               .select_related("volunteer", "activity", "activity__project",
                               "activity__organisation").order_by("activity__starts_at", "id"))
    if month:
        signups = signups.filter(activity__starts_at__month=month)
    audit.record("volunteers.hours.exported", actor=request.user,
                 town=towns[0] if towns else None, changes={"year": year, "month": month, "full": full, "rows": signups.count()})

    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def rows():
        for n, s in enumerate(signups.iterator(chunk_size=1000), start=1):
            v, a = s.volunteer, s.activity
            if full:
                name, id_number, phone = v.name, v.id_number, v.phone
            else:
                name, phone = pii.mask_name(v.name), pii.mask_phone(v.phone)
                id_number = pii.mask_id_number(v.id_number) if v.id_number else ""
            yield (n, name, "居民身份证" if v.id_number else "", id_number, phone, a.title,
                   timezone.localtime(a.starts_at).date().isoformat(), moment(s.checked_in_at),
                   moment(s.checked_out_at), round(s.minutes / 60, 2), a.place_name,
                   a.project.name, a.organisation.name)

    sheet = tabular.Sheet(title="志愿服务时长", header=CITY_HEADER, rows=rows())
    name = f"volunteer-hours-{year}{f'-{month:02d}' if month else ''}"
    if request.GET.get("format") == "xlsx":
        return tabular.xlsx_response([sheet], f"{name}.xlsx")
    return tabular.csv_response(sheet, f"{name}.csv")


def stats(request):
    """Volunteers, hours and activities by project and grid, with charts (ECharts, as the
    indicators dashboard)."""
    refused = _manager_required(request)
    if refused:
        return refused
    if not (request.user.is_superuser or alliance_towns(request.user)):
        raise PermissionDenied(_("只有联盟办公室可以查看统计"))
    towns = _towns(request.user)
    year = _int(request, "year", low=2000, high=2100) or timezone.localdate().year
    by_project = ledger.unit_totals(towns, by="project", year=year)
    by_grid = ledger.unit_totals(towns, by="grid", year=year)
    by_month = ledger.unit_totals(towns, by="month", year=year)
    volunteers = Volunteer.objects.filter(town_id__in=towns)
    activities = Activity.objects.filter(town_id__in=towns, starts_at__year=year)
    per_project = list(activities.values("project__name").annotate(n=Count("id")).order_by("-n"))
    return render(request, "volunteers/stats.html", {
        "year": year,
        "tiles": [(_("注册志愿者"), volunteers.filter(state=VolunteerState.APPROVED).count()),
                  (_("待审核"), volunteers.filter(state=VolunteerState.APPLIED).count()),
                  (_("本年活动"), activities.count()),
                  (_("本年服务时长（小时）"), round(sum(r["minutes"] for r in by_month) / 60, 1))],
        "by_project": by_project, "by_grid": by_grid,
        "chart_data": {
            "projects": by_project, "grids": by_grid[:20],
            "months": [{"label": r["label"][:7], "hours": r["hours"]} for r in by_month],
            "activities": [{"label": r["project__name"], "count": r["n"]} for r in per_project],
            "labels": {"hours": _("服务时长（小时）"), "activities": _("活动场次")},
        },
    })


