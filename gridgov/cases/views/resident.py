"""The resident's pages, on a phone: report a problem, follow it by tracking code, rate it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.cases import actions, pending, public, queues, report_limits
from gridgov.cases.forms import RateForm, ReportForm, TrackForm
from gridgov.cases.models import Case, Source
from gridgov.cases.views.common import category_groups, map_view, photo_response
from gridgov.core import photos
from gridgov.core.errors import Refusal
from gridgov.grids.models import Grid



def report(request):
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    too_many = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        kept_phone = "" if data.get("is_anonymous") else data.get("reporter_phone", "")
        too_many = report_limits.refusal(request, kept_phone)
        if too_many:
            # The form comes back as typed, with the reason; nothing is saved.
            too_many.show_on(form)
        else:
            try:
                case = actions.report_case(
                    actor=request.user,
                    category=data["category"],
                    description=data["description"],
                    longitude=data["longitude"],
                    latitude=data["latitude"],
                    address=data["address"],
                    source=data.get("source", ""),
                    reporter_name=data.get("reporter_name", ""),
                    reporter_phone=data.get("reporter_phone", ""),
                    is_anonymous=data.get("is_anonymous", False),
                    photos=data["photos"],
                    self_handled=data.get("self_handled", False),
                    after_photos=data.get("after_photos") or (),
                    on_saved=lambda _case: report_limits.count_report(request, kept_phone),
                )
            except Refusal as refusal:
                refusal.show_on(form)
            else:
                pending.discard(data["kept"])
                return _receipt(request, case)
    response = render(request, "cases/report.html", {
        "form": form, "category_groups": category_groups(), "map": map_view(Grid.objects.all()),
        # A submitter over the report limits gets nothing written, kept photos included.
        "kept": None if too_many else _keep_photos(form),
        "chosen_category": _chosen_category(form),
    }, status=too_many.status if too_many else 400 if form.errors else 200)
    if too_many:
        for name, value in too_many.headers.items():  # Retry-After
            response[name] = value
    return response


def _receipt(request, case: Case):
    """Where a report ends: a resident gets the tracking code to keep; staff who filed it at work
    (a patrol find, a hotline call) get a staff receipt on the case page, with no code to note
    and no rating to give."""
    if case.source == Source.RESIDENT and not public.sees_as_staff(request.user, case):
        return redirect(reverse("cases:track_case", args=[case.tracking_code]) + "?new=1")
    if case.is_self_handled:
        text = _("已上报并自行处置，事件 %(number)s 已结案，等待城运中心抽查核实。")
    else:
        text = _("已上报，事件编号 %(number)s，等待城运中心受理。")
    messages.success(request, text % {"number": case.number})
    return redirect("cases:case_detail", pk=case.pk)


def _keep_photos(form) -> dict | None:
    """After a failed submission: the photos checked so far, kept for the next try (pending.py)."""
    if not form.is_bound:
        return None
    key, chosen = form.kept_choice()
    new = getattr(form, "new_photos", [])
    if not (chosen or new):
        pending.discard(key)
        return None
    key, names = pending.keep(key, chosen, new)
    return {"key": key, "names": names}


def _chosen_category(form):
    """The type chosen before the form came back, shown above the list (where it may be
    scrolled out of sight)."""
    value = form["category"].value() if form.is_bound else None
    if not value or not str(value).isdigit():
        return None
    return form.fields["category"].queryset.filter(pk=value).first()


def kept_photo(request, key, name):
    """A thumbnail of a photo kept from a failed submission; the key is the credential."""
    stored = pending.path(key, name)
    if stored is None:
        raise Http404
    return photos.photo_response(pending.kept_file(stored))


def track(request):
    form = TrackForm(request.GET or None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            if Case.objects.filter(tracking_code=code).exists():
                return redirect("cases:track_case", code=code)
            form.add_error("code", _("没有找到这个查询码对应的问题，请核对"))
            status = 404
    return render(request, "cases/track.html", {"form": form}, status=status)


def _tracked(code: str) -> Case:
    return get_object_or_404(Case.objects.select_related("category", "merged_into__category",
                                                         "merged_into__department", "department"),
                             tracking_code=code.upper())


def track_case(request, code):
    return reporter_page(request, _tracked(code))


def reporter_page(request, case: Case):
    """The progress page of a case as its reporter sees it (by tracking code, or signed in)."""
    return render(request, "cases/track_case.html", _track_context(case, RateForm(), request))


def may_rate(case: Case, request) -> bool:
    """Whether the visitor, by this tracking code or signed in, may rate the case they follow:
    the workflow's answer, the same the POST gets."""
    reporter = actions.reporter_as_actor(request.user, case.tracking_code)
    followed = case.followed()
    return any(t.action == "evaluate" for t in actions.allowed_actions(followed, reporter))


def _track_context(case: Case, rate_form: RateForm, request) -> dict:
    followed = case.followed()
    events = public.reporter_events(followed)
    return {
        "case": case,
        "followed": followed,
        "events": events,
        "replies": [event for event in events if event.reply],
        "expected": public.expected_completion(followed),
        "photos": list(followed.photos.only("pk", "case_id", "phase")),
        "rate_form": rate_form,
        "can_rate": may_rate(case, request),
        "just_reported": request.GET.get("new") == "1",
    }


@require_POST
def rate(request, code):
    case = _tracked(code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            actions.rate(
                case,
                satisfaction=form.cleaned_data["satisfaction"],
                reason=form.cleaned_data["reason"].strip(),
                actor=request.user,
                tracking_code=case.tracking_code,
            )
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("cases:track_case", code=case.tracking_code)
    return render(request, "cases/track_case.html", _track_context(case, form, request), status=400)


def track_photo(request, code, photo_id):
    return photo_response(_tracked(code).followed(), photo_id)


@login_required
def my_cases(request):
    """The cases a signed-in resident reported (not those reported anonymously)."""
    rows, next_cursor = queues.page(Case.objects.filter(reporter=request.user),
                                    request.GET.get("after", ""), related=("category",))
    waiting = {case.pk for case in queues.waiting_for_rating(request.user)}
    return render(request, "cases/my_cases.html", {"rows": rows, "next_cursor": next_cursor,
                                                   "waiting_for_rating": waiting})
