"""What the home page shows a leader and a deputy beside their to-dos (core.navigation panels).

A leader: the month's key figures (figures.key_figures, the dashboard's own sums) with the way
to the dashboard. A deputy: the cases of their constituency as counts only, since no page of the
platform lists cases for deputies yet (a link would answer 403); the count is read through the
cases' own reader rule (Case.visible_to with the deputy role: community assignments only)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Role
from gridgov.cases.models import OPEN_STATES, Case, State
from gridgov.core.navigation import Panel
from gridgov.core.scope import ScopeKind, scope_ids
from gridgov.indicators import figures


def panels(user, roles: set[str]) -> list[Panel]:
    shown = []
    if Role.LEADER in roles:
        shown.append(month_panel(user))
    if Role.DEPUTY in roles:
        shown.append(constituency_panel(user))
    return shown


def month_panel(user) -> Panel:
    period = figures.Period.month_to_date()
    query = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
    days = {"month": period.start.month, "day": period.end.day}
    return Panel(
        title=(_("本月主要指标（%(month)d月1日至%(day)d日）") % days if period.days > 1
               else _("本月主要指标（%(month)d月1日）") % days),
        figures=figures.key_figures(user, period),
        url=f"{reverse('indicators:dashboard')}?{query}",
        link_label=_("查看统计分析（按网格、部门、分类，可导出）"),
        note=_("按期结案率、满意率没有分母时显示“—”。数据每分钟更新。"),
    )


def constituency_panel(user) -> Panel:
    if not scope_ids(user, {Role.DEPUTY}).get(ScopeKind.COMMUNITY):
        return Panel(title=_("我的选区"), figures=(), note=_(
            "您的代表身份尚未关联选区（居民区），所以这里没有事件。请管理员把您分配到所联系的居民区。"))
    now = timezone.now()
    month_start = timezone.make_aware(timezone.datetime.combine(
        timezone.localdate().replace(day=1), timezone.datetime.min.time()))
    counts = Case.objects.visible_to(user, roles={Role.DEPUTY}).counted().aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Case.overdue_condition(now)),
        reported=Count("pk", filter=Q(reported_at__gte=month_start)),
        closed=Count("pk", filter=Q(state=State.CLOSED, closed_at__gte=month_start)),
    )
    return Panel(
        title=_("我的选区：居民反映的事件"),
        figures=((_("办理中"), f"{counts['open']:,}"), (_("已超期"), f"{counts['overdue']:,}"),
                 (_("本月新反映"), f"{counts['reported']:,}"),
                 (_("本月已结案"), f"{counts['closed']:,}")),
        note=_("代表联络和接待的页面尚在建设中。居民的诉求可以从“反映问题”代为提交，"
               "并用查询码在“查询进度”跟进。"),
    )
