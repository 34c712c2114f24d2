"""Demo data of the service package, the visiting team and the coverage register. Everything
here is invented and marked 示例 (is_sample), except the five aspect names of the package.

Idempotent: organisations by (town, name); visit records by fixed idempotency keys (the same
mechanism that stores a phone's record once); applications and follow-ups only once per town.
"""

import datetime as dt
import uuid

from django.utils import timezone

from gridgov.accounts import actions as account_actions
from gridgov.accounts.roles import Role
from gridgov.cases.models import Category
from gridgov.core.scope import ScopeKind
from gridgov.demo import xinjing
from gridgov.demo.loaders import ensure_user, xinjing_town
from gridgov.demo.registry import DemoAccount, DemoContext, register
from gridgov.grids.models import Department, Grid, Place, PlaceKind

from . import actions, sample_catalogue, visits
from .credit_code import with_check
from .models import Application, NeedState, Organisation, Sector, ServiceItem, VisitNeed, VisitPlan

PROVIDER = ("13800000021", "顾文静")  # a handler of the sample party-service centre
WORKER_GROUPS = ["美团外卖骑手站", "饿了么骑手站", "顺丰快递网点", "中通快递网点", "网约车司机之家"]
ENTERPRISE_SUFFIXES = ["科技有限公司", "咨询有限公司", "文化传媒有限公司", "贸易有限公司"]
SHOP_NAMES = ["便利店", "面馆", "水果店", "理发店", "药房", "咖啡馆"]


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"gridgov-demo-visit:{name}")


@register("services_catalogue", after=("registry",))
def load_catalogue(context: DemoContext) -> None:
    town = xinjing_town()
    report = sample_catalogue.install(town)
    context.write(f"服务清单：5 大方面 28 类 {report.rows} 项（类别与项目为示例）")


def _organisations(town, context) -> list[Organisation]:
    rng = context.random("services-organisations")
    made = []
    number = 0

    def add(name, sector, grid, building=None):
        nonlocal number
        number += 1
        own = rng.random() < 0.35
        attached = "" if own or rng.random() < 0.45 else "新泾镇楼宇联合党委（示例）"
        work = rng.random() < 0.6
        organisation, _ = Organisation.objects.update_or_create(town=town, name=name, defaults={
            "grid": grid, "building": building, "sector": sector,
            "credit_code": with_check(f"91310105MA{number:07d}") if sector != Sector.WORKER_GROUP
            else "", "members": rng.randint(5, 120), "party_members": rng.randint(0, 8),
            "has_party_org": own, "attached_to": attached, "work_covered": work,
            "liaison": "" if not work else "党建联络员（示例）", "is_sample": True})
        made.append(organisation)

    for place in Place.objects.filter(town=town, kind=PlaceKind.BUILDING).select_related("grid"):
        for suffix in ENTERPRISE_SUFFIXES[:3]:
            add(f"{place.name}{rng.choice('泾虹淞新汇')}{suffix}（示例）", Sector.BUILDING_ENTERPRISE,
                place.grid, place)
    for place in Place.objects.filter(town=town, kind=PlaceKind.SHOP_STREET).select_related("grid"):
        for shop in SHOP_NAMES[:3]:
            add(f"{place.name}{shop}（示例）", Sector.SHOP, place.grid, place)
    grids = list(Grid.objects.filter(town=town).order_by("number"))
    for index, group in enumerate(WORKER_GROUPS):
        add(f"{group}（示例）", Sector.WORKER_GROUP, grids[(index * 3) % len(grids)])
    add("某即时配送平台上海区域公司（示例）", Sector.PLATFORM, grids[0])
    return made


def _provider(town, context):
    department = Department.objects.get(town=town, name=sample_catalogue.PARTY)
    user = ensure_user(*PROVIDER, xinjing.DEMO_PASSWORD)
    account_actions.assign_role(user, Role.HANDLER, ScopeKind.DEPARTMENT, department.pk,
                                actor=None)
    context.accounts.append(DemoAccount(str(Role.HANDLER.label), PROVIDER[0], PROVIDER[1],
                                        department.name))
    return user


def _applications(town, resident, provider):
    if Application.objects.filter(town=town, is_sample=True).exists():
        return
    walks = [
        ("骑手驿站休息", ()),
        ("党群服务站点预约", ("accept",)),
        ("会议室预约", ("accept", "start")),
        ("党员组织关系转接", ("accept", "start", "complete")),
        ("红色观影活动", ("accept", "start", "complete", "rate")),
        ("党组织组建咨询", ("decline",)),
    ]
    for name, steps in walks:
        item = ServiceItem.objects.get(town=town, name=name)
        application = actions.apply(actor=resident, item=item, applicant_kind="person",
                                    contact_name=resident.name, contact_phone="13800000008",
                                    details=f"申请“{name}”（示例）", is_sample=True)
        for step in steps:
            data = {"complete": {"result": "已按约定提供服务（示例）"},
                    "decline": {"reason": "本月场地已约满，请下月再申请（示例）"},
                    "rate": {"rating": 5, "comment": "很及时（示例）"}}.get(step, {})
            actor = resident if step == "rate" else provider
            actions.act(application, step, actor=actor, **data)


def _visits(town, organisations, context):
    grid_staff = ensure_user(xinjing.DEMO_ACCOUNTS[0].phone, xinjing.DEMO_ACCOUNTS[0].name)
    party = ensure_user(xinjing.DEMO_ACCOUNTS[5].phone, xinjing.DEMO_ACCOUNTS[5].name)
    operator = ensure_user(xinjing.DEMO_ACCOUNTS[2].phone, xinjing.DEMO_ACCOUNTS[2].name)
    grid = Grid.objects.get(town=town, number=xinjing.DEMO_ACCOUNTS[0].scope)
    today = timezone.localdate()
    in_grid = [o for o in organisations if o.grid_id == grid.pk] or organisations[:3]
    plan = VisitPlan.objects.filter(town=town, title="“四百”走访 · 第四网格（示例）").first()
    if plan is None:
        plan = visits.create_plan(actor=party, town=town, grid=grid,
                                  title="“四百”走访 · 第四网格（示例）",
                                  starts_on=today - dt.timedelta(days=14),
                                  due_on=today + dt.timedelta(days=16),
                                  visitors=[grid_staff, party], organisations=in_grid,
                                  is_sample=True)
    town_plan = VisitPlan.objects.filter(town=town, title="“鑫”能量全覆盖走访 · 楼宇（示例）").first()
    if town_plan is None:
        visits.create_plan(actor=party, town=town, title="“鑫”能量全覆盖走访 · 楼宇（示例）",
                           due_on=today + dt.timedelta(days=30), visitors=[party],
                           organisations=[o for o in organisations
                                          if o.sector == Sector.BUILDING_ENTERPRISE][:8],
                           is_sample=True)
    rng = context.random("services-visits")
    needs_by_visit = [["骑手反映驿站充电插座不够", "希望开放夜间休息"],
                      ["店门口人行道地砖松动"], [], ["咨询楼宇党组织挂靠办法"]]
    records = []
    for index, organisation in enumerate(in_grid[:4]):
        record, _created = visits.submit_visit(
            actor=grid_staff, key=_key(organisation.name), plan=plan,
            visited_on=today - dt.timedelta(days=rng.randint(1, 12)),
            visitors=f"{grid_staff.name}、{party.name}", organisation=organisation,
            people_met="负责人（示例）", questions="咨询“泾彩满格”服务包的申请方式（示例）",
            answers="现场讲解申请流程并留下联系方式（示例）", needs=needs_by_visit[index % 4],
            is_sample=True)
        records.append(record)
    for index, organisation in enumerate(
            [o for o in organisations if o.sector == Sector.BUILDING_ENTERPRISE][:6]):
        visits.submit_visit(actor=party, key=_key(f"town:{organisation.name}"),
                            visited_on=today - dt.timedelta(days=20 + index * 7),
                            visitors=party.name, organisation=organisation,
                            questions="了解企业党建需求（示例）", is_sample=True)
    _follow_ups(town, records, grid_staff, operator)


def _follow_ups(town, records, grid_staff, operator):
    open_needs = list(VisitNeed.objects.filter(record__in=records, state=NeedState.OPEN)
                      .order_by("pk"))
    if len(open_needs) < 3:
        return
    charging = ServiceItem.objects.get(town=town, name="电动车充电换电点")
    visits.follow_up_as_application(open_needs[0], actor=grid_staff, item=charging,
                                    contact_name="站长（示例）", contact_phone="13800000031")
    category = Category.objects.filter(is_active=True, name__contains="人行道").first() or (
        Category.objects.filter(is_active=True).first())
    if category is not None and (open_needs[1].record.organisation.building_id
                                 or open_needs[1].record.place_id):
        visits.follow_up_as_case(open_needs[1], actor=operator, category=category)
    visits.mark_answered(open_needs[2], actor=grid_staff)


@register("services", after=("services_catalogue", "people", "demo_accounts", "cases"))
def load_services(context: DemoContext) -> None:
    town = xinjing_town()
    organisations = _organisations(town, context)
    provider = _provider(town, context)
    resident = ensure_user(xinjing.DEMO_ACCOUNTS[7].phone, xinjing.DEMO_ACCOUNTS[7].name)
    _applications(town, resident, provider)
    _visits(town, organisations, context)
    context.write(f"新兴领域组织：{len(organisations)} 个（示例）；走访记录与服务申请（示例）")
