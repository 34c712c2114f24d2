"""The indicators dashboard (/indicators/) for the town's leaders, operations centre and
administrators, within their scope: tiles, charts, a map of grids coloured by an indicator, the
table, and the Excel and CSV downloads of what is shown."""

import datetime as dt

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.cases import queues
from gridgov.cases.models import Case, Category
from gridgov.core import audit, params
from gridgov.core.access import role_required
from gridgov.core.errors import Refusal
from gridgov.grids import mapdata
from gridgov.grids.models import Community
from gridgov.indicators import exports, figures, rollup

audit.register("cases.case.exported", "导出事件")

GROUPING_CHOICES = [(key, figures.GROUPINGS[key][0])
                    for key in ("grid", "community", "department", "category")]
# The map's colour: 按期结案率 first, the default.
RATE_CHOICES = sorted(((key, label) for key, (label, _num, _den) in figures.RATES.items()),
                      key=lambda choice: choice[0] != "on_time_rate")
# The tiles on top, in order: counts, then rates.
TILE_COUNTS = ("registered", "due", "closed", "overdue")
TILE_RATES = ("closure_rate", "on_time_rate", "satisfaction_rate", "rework_rate", "return_rate",
              "self_handled_rate")


# Signed in (else the log-in page) and a leader, operator or administrator (else 403).
indicator_reader = role_required(figures.INDICATOR_ROLES,
                                 _("仅镇领导、城运中心和管理员可查看统计分析"))


class IndicatorForm(forms.Form):
    start = params.DayField(label=_("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = params.DayField(label=_("结束日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    grouping = forms.ChoiceField(label=_("分组"), choices=GROUPING_CHOICES, required=False)
    community = params.RowChoiceField(label=_("居民区"), queryset=Community.objects.none(),
                                       required=False, empty_label=_("全部居民区"))
    category = params.RowChoiceField(label=_("分类"), queryset=Category.objects.all(),
                                      required=False, empty_label=_("全部分类"))
    rate = forms.ChoiceField(label=_("地图着色"), choices=RATE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "：")  # the full-width colon, as Chinese is written
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = Community.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        try:
            data["period"] = figures.Period.of(data.get("start"), data.get("end"))
        except Refusal as refusal:
            refusal.show_on(self)
        data["grouping"] = data.get("grouping") or "grid"
        data["rate"] = data.get("rate") or RATE_CHOICES[0][0]
        return data

    def chosen_id(self, name):
        value = self.cleaned_data.get(name)
        return value.pk if value is not None else None

    def stats(self, grouping: str):
        return figures.stats_for(self.user, grouping, community=self.chosen_id("community"),
                                    category=self.chosen_id("category"))

    def cases(self):
        """The cases behind the figures: in scope, reported within the period."""
        period = self.cleaned_data["period"]
        cases = Case.objects.visible_to(self.user, roles=figures.INDICATOR_ROLES)
        if self.chosen_id("community") is not None:
            cases = cases.filter(community_id=self.chosen_id("community"))
        filters = {"category": self.chosen_id("category"), "date_from": period.start,
                   "date_to": period.end}
        return queues.apply_filters(cases, filters, timezone.now())


def _rates(row) -> dict:
    return {name: float(value) if value is not None else None for name, value in row.rates.items()}


def _every_day(period, daily) -> list[dict]:
    """The daily series with the days that had nothing to count as zeros, so that a line
    does not bridge them."""
    found = {row.key: row.counts for row in daily}
    empty = dict.fromkeys(figures.COUNT_LABELS, 0)
    series = []
    for offset in range(period.days):
        day = period.start + dt.timedelta(days=offset)
        counts = found.get(day, empty)
        series.append({"day": day.isoformat(), "registered": counts["registered"],
                       "due": counts["due"], "closed_on_time": counts["closed_on_time"]})
    return series


def _chart_data(form, total, groups, daily, grids) -> dict:
    return {
        "rate": form.cleaned_data["rate"],
        "rateLabels": {key: str(label) for key, label in RATE_CHOICES},
        "groups": [{"label": row.label, **_rates(row)} for row in groups],
        "daily": _every_day(form.cleaned_data["period"], daily),
        "grids": {str(row.key): {"label": row.label, "due": row.counts["due"], **_rates(row)}
                  for row in grids if row.key is not None},
        "labels": {"registered": str(figures.COUNT_LABELS["registered"]),
                   "due": str(figures.COUNT_LABELS["due"]),
                   "closed_on_time": str(figures.COUNT_LABELS["closed_on_time"]),
                   "noData": str(_("无应结案件")), "percent": "%"},
        "gridsUrl": reverse("grids:map_grids"),
        "extent": mapdata.extent(form.user),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _with_default_period(query):
    """The query with the default period's dates written in when neither end is asked for, so
    that the date fields show the period the figures are for."""
    if query.get("start") or query.get("end"):
        return query
    default = figures.Period.last_days(figures.DEFAULT_DAYS)
    query = query.copy()
    query["start"], query["end"] = default.start.isoformat(), default.end.isoformat()
    return query


@indicator_reader
def dashboard(request):
    is_default_period = not (request.GET.get("start") or request.GET.get("end"))
    form = IndicatorForm(_with_default_period(request.GET), user=request.user)
    if not form.is_valid():
        return render(request, "indicators/dashboard.html", {"form": form}, status=400)
    period, grouping = form.cleaned_data["period"], form.cleaned_data["grouping"]
    def rows(by):
        return figures.indicator_rows(form.stats(by), period, by)

    [total] = rows("total")
    groups = rows(grouping)
    grids = groups if grouping == "grid" else rows("grid")
    daily = rows("day")
    context = {
        "form": form,
        "period": period,
        "total": total,
        "count_tiles": [(figures.COUNT_LABELS[n], total.counts[n]) for n in TILE_COUNTS],
        "rate_tiles": [(figures.RATES[n][0], total.rates[n]) for n in TILE_RATES],
        "groups": groups,
        "grouping_label": figures.GROUPINGS[grouping][0],
        "count_labels": figures.COUNT_LABELS,
        "rate_labels": {name: label for name, (label, _n, _d) in figures.RATES.items()},
        "formulas": [(label, figures.COUNT_LABELS[num], figures.COUNT_LABELS[den])
                     for label, num, den in figures.RATES.values()],
        "average_label": figures.AVERAGE_HOURS_LABEL,
        "refreshed_through": rollup.refreshed_through(),
        # Nothing registered, due or closed in the period: the page says so instead of drawing
        # empty charts and a grey map.
        "is_empty": not any(total.counts.values()),
        "is_default_period": is_default_period,
        "chart_data": _chart_data(form, total, groups, daily, grids),
        "query": request.GET.urlencode(),
    }
    return render(request, "indicators/dashboard.html", context)


@indicator_reader
def export_indicators(request):
    form = IndicatorForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "indicators/dashboard.html", {"form": form}, status=400)
    return exports.indicators_response(form.stats, form.cleaned_data["period"])


@indicator_reader
def export_cases(request):
    form = IndicatorForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "indicators/dashboard.html", {"form": form}, status=400)
    period = form.cleaned_data["period"]
    # Who took which cases out of the platform is kept, like any view of bulk data.
    audit.record("cases.case.exported", actor=request.user, changes={
        "start": period.start.isoformat(), "end": period.end.isoformat(),
        "community": form.chosen_id("community"), "category": form.chosen_id("category"),
    })
    return exports.cases_response(form.cases())
