"""Demo cases for 新泾镇: a few hundred invented cases over the last four months, in every state.

Every case goes through the real actions (report_case, act, rate) at a replayed moment
(deadlines.cases_at), so its events, deadlines, photos and audit entries are what the platform
itself would have written. Each is marked is_sample with its description starting "示例：", and
sample cases notify no one. Loading again changes nothing: a town that has sample cases already
is left alone (the whole demo load is one transaction, so there is no half-loaded state).
"""

import datetime as dt
import io

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from shapely.geometry import Point, shape

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.core import workdays
from gridgov.core.scope import ScopeKind
from gridgov.demo.registry import register
from gridgov.grids.models import Department, DepartmentKind, Grid, GridStaff

from . import catalogue, search
from .actions import act, rate, report_case
from .deadlines import cases_at
from .models import Case, Category, Source, State
from .workflow import default_department

HISTORY_DAYS = 120
SAMPLE_PREFIX = "示例："

# Departments the catalogue dispatches to that the demo registry does not have.
EXTRA_DEPARTMENTS = [
    ("新泾镇绿化市容管理所", DepartmentKind.GREENING),
    ("新泾镇房屋管理办公室", DepartmentKind.HOUSING),
    ("新泾公用事业联络站", DepartmentKind.UTILITY),
    ("新泾镇社区管理办公室", DepartmentKind.OFFICE),
]

# How the invented cases end, with weights: a town's real spread is mostly closed and rated.
ENDINGS = [
    ("reported", 4), ("rejected", 3), ("registered", 3), ("dispatched", 5), ("handling", 9),
    ("extension", 2), ("handled", 4), ("verified", 2), ("suspended", 2), ("closed", 22),
    ("evaluated", 28), ("unsatisfied", 3), ("self_handled", 10), ("merged", 3),
]
OPEN_ENDINGS = {"reported", "registered", "dispatched", "handling", "extension", "handled",
                "verified", "suspended"}
DETAILS = ["，影响行人通行", "，已经好几天了", "，希望尽快处理", "，晚上尤其明显", "，附近居民反映较多", ""]


def _picture(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 240), (236, 236, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 280, 200), fill=colour)
    draw.line((0, 200, 320, 200), fill=(90, 90, 90), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _before():
    return _picture((180, 70, 50), "before.jpg")


def _after():
    return _picture((70, 150, 90), "after.jpg")


class _Cast:
    """Who acts in the demo: the town's operator and leader, one handler per department, each
    grid's staff, the demo resident."""

    def __init__(self, town):
        from gridgov.demo import xinjing
        from gridgov.demo.loaders import ensure_user

        accounts = {seed.role: seed for seed in xinjing.DEMO_ACCOUNTS}
        self.operator = ensure_user(accounts[Role.OPERATOR].phone, accounts[Role.OPERATOR].name)
        self.leader = ensure_user(accounts[Role.LEADER].phone, accounts[Role.LEADER].name)
        self.resident = ensure_user(accounts[None].phone, accounts[None].name)
        self.handlers = {}
        for index, department in enumerate(Department.objects.filter(town=town).order_by("name")):
            holder = RoleAssignment.objects.filter(
                role=Role.HANDLER, scope_kind=ScopeKind.DEPARTMENT, scope_id=department.pk
            ).select_related("user").order_by("pk").first()
            if holder is not None:
                user = holder.user
            else:
                user = ensure_user(f"138000{9000 + index:05d}", f"{department.name[-4:]}处置员")
                account_actions.assign_role(user, Role.HANDLER, ScopeKind.DEPARTMENT,
                                            department.pk, actor=None)
            self.handlers[department.pk] = user
        self.grid_staff = {}
        for post in GridStaff.objects.filter(grid__town=town).order_by("grid_id", "pk"):
            self.grid_staff.setdefault(post.grid_id, post.user)


def _ensure_departments(town) -> None:
    for name, kind in EXTRA_DEPARTMENTS:
        if not Department.objects.filter(town=town, kind=kind).exists():
            Department.objects.update_or_create(town=town, name=name,
                                                defaults={"kind": kind, "is_sample": True})


def _department_for(case):
    """The category's default department; where the community has none of that kind (a 物业
    not on record), its 居委会 takes the case, as the operations centre would decide."""
    return default_department(case) or Department.objects.filter(
        town_id=case.town_id, kind=DepartmentKind.NEIGHBOURHOOD, community_id=case.community_id
    ).first() or Department.objects.filter(town_id=case.town_id).order_by("pk").first()


def _point_in(grid, rng) -> tuple[float, float]:
    polygon = shape(grid.boundary)
    west, south, east, north = polygon.bounds
    while True:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if polygon.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)


class _Story:
    """One case told step by step at moments that move forward in office hours."""

    def __init__(self, case, moment, rng, cast, now):
        self.case, self.moment, self.rng, self.cast, self.now = case, moment, rng, cast, now

    def later(self, low: float, high: float) -> bool:
        """Move the clock on by low..high office hours; False when that would pass now."""
        moment = workdays.add_working_hours(self.moment, self.rng.uniform(low, high))
        if moment >= self.now:
            return False
        self.moment = moment
        return True

    def toward_deadline(self, low: float, high: float) -> bool:
        """Move on by a share (low..high) of the office hours left until the deadline: below 1
        stays in time, above 1 is late."""
        left = workdays.working_hours_between(self.moment, self.case.due_at)
        return self.later(max(left * low, 0.2), max(left * high, 0.3))

    def do(self, action, actor, **data) -> None:
        with cases_at(self.moment):
            self.case, _ = act(self.case, action, actor=actor, **data)

    def handler(self):
        return self.cast.handlers[self.case.department_id]

    def verifier(self):
        return self.cast.grid_staff.get(self.case.grid_id) or self.cast.operator


def _tell(story: _Story, ending: str) -> None:
    rng, cast = story.rng, story.cast
    if ending == "reported" or not story.later(0.2, 3):
        return
    if ending == "rejected":
        story.do("reject", cast.operator, note=f"{SAMPLE_PREFIX}不属于本镇受理范围，已告知转相关部门")
        return
    story.do("register", cast.operator)
    if ending == "registered" or not story.later(0.1, 2):
        return
    if ending == "suspended":
        story.do("suspend", cast.operator, note=f"{SAMPLE_PREFIX}涉及规划调整，待统筹解决")
        return
    department = _department_for(story.case)
    if rng.random() < 0.12:
        # 吹哨报到: the grid calls a second department in, which reports in.
        called = rng.choice([pk for pk in cast.handlers if pk != department.pk])
        story.do("escalate", story.verifier(), departments=[called],
                 note=f"{SAMPLE_PREFIX}需多部门联合处置")
        if story.later(0.5, 4):
            story.do("report_in", cast.handlers[called])
    story.do("dispatch", cast.operator, department=department)
    if rng.random() < 0.08 and story.later(1, 6):
        story.do("return", story.handler(), note=f"{SAMPLE_PREFIX}不属于本部门职责，请改派")
        if not story.later(0.5, 3):
            return
        others = [pk for pk in cast.handlers if pk != story.case.department_id]
        story.do("dispatch", cast.operator, department=rng.choice(others))
    if ending == "dispatched" or not story.later(0.5, 6):
        return
    story.do("accept", story.handler())
    if ending == "extension":
        if story.later(2, 10):
            story.do("request_extension", story.handler(), working_days=rng.choice([2, 3, 5]),
                     note=f"{SAMPLE_PREFIX}需协调产权单位，申请延期")
        return
    if rng.random() < 0.1 and story.later(4, 16):
        story.do("urge", cast.leader, note=f"{SAMPLE_PREFIX}请加快处置")
    # Most are handled within the limit; some take long enough to be late.
    slow = rng.random() < 0.12
    if ending == "handling" or not story.toward_deadline(*((1.1, 1.6) if slow else (0.1, 0.6))):
        return
    story.do("handle", story.handler(), after_photos=[_after()],
             note=f"{SAMPLE_PREFIX}已到现场处置完毕",
             reply=f"{SAMPLE_PREFIX}已到现场处理，问题已解决，感谢您的反映")
    if ending == "handled" or not story.toward_deadline(0.1, 0.4):
        return
    if rng.random() < 0.08:
        story.do("fail_verification", story.verifier(), note=f"{SAMPLE_PREFIX}现场复查仍未整改到位")
        if not story.toward_deadline(0.2, 0.8):
            return
        story.do("handle", story.handler(), after_photos=[_after()], note=f"{SAMPLE_PREFIX}已返工")
        if not story.toward_deadline(0.1, 0.4):
            return
    story.do("verify", story.verifier())
    if ending == "verified" or not story.toward_deadline(0.1, 0.5):
        return
    story.do("close", cast.operator)
    if ending == "closed" or not story.later(2, 24):
        return
    satisfaction = "unsatisfied" if ending == "unsatisfied" else rng.choices(
        ["satisfied", "basically"], [82, 18])[0]
    reason = f"{SAMPLE_PREFIX}过几天问题又出现了" if satisfaction == "unsatisfied" else ""
    with cases_at(story.moment):
        story.case = rate(story.case, satisfaction=satisfaction, reason=reason,
                          tracking_code=story.case.tracking_code)


def load_demo_cases(town, rng, count: int | None = None) -> int:
    """Invent `count` cases (settings.GRIDGOV_DEMO_CASES) in `town`, once; returns how many
    were made."""
    from django.conf import settings

    count = getattr(settings, "GRIDGOV_DEMO_CASES", 300) if count is None else count
    if Case.objects.filter(town=town, is_sample=True).exists():
        return 0
    catalogue.load()
    _ensure_departments(town)
    cast = _Cast(town)
    categories = list(Category.objects.filter(is_active=True).order_by("kind", "major_code",
                                                                      "minor_code"))
    # The street problems the texts name come up far more often than a broken fire hydrant.
    common = {"占道经营", "暴露垃圾", "共享单车乱停放", "跨门营业", "非法小广告", "机动车乱停放",
              "外卖快递电动车乱停乱行", "噪声扰民", "餐饮油烟", "占道堆物", "路灯", "群租", "违法搭建"}
    weights = [8 if c.name in common else 1 for c in categories]
    grids = list(Grid.objects.filter(town=town).order_by("number"))
    now = timezone.now()
    made = 0
    for _ in range(count):
        ending = rng.choices([e for e, _w in ENDINGS], [w for _e, w in ENDINGS])[0]
        days_ago = rng.uniform(0.5, 7) if ending in OPEN_ENDINGS else rng.uniform(3, HISTORY_DAYS)
        moment = workdays.add_working_hours(now - dt.timedelta(days=days_ago), rng.uniform(0, 8))
        if moment >= now:
            moment = now - dt.timedelta(hours=1)
        grid = rng.choice(grids)
        category = rng.choices(categories, weights)[0]
        lon, lat = _point_in(grid, rng)
        road = rng.choice(["泾华路", "淞虹路", "天山西路", "新渔东路", "泾西路", "泾南路"])
        place = f"{road}{rng.randint(1, 999)}号"
        description = f"{SAMPLE_PREFIX}{place}附近{category.plain_name}{rng.choice(DETAILS)}"
        fields = {"category": category, "description": description, "longitude": lon,
                  "latitude": lat, "address": place, "is_sample": True, "town": town}
        patrol_staff = cast.grid_staff.get(grid.pk)
        with cases_at(moment):
            if ending == "self_handled" and patrol_staff is not None:
                report_case(actor=patrol_staff, source=Source.PATROL, photos=[_before()],
                            self_handled=True, after_photos=[_after()], **fields)
                made += 1
                continue
            source = rng.choices([Source.RESIDENT, Source.PATROL, Source.HOTLINE], [5, 3, 2])[0]
            if source == Source.PATROL and patrol_staff is not None:
                case = report_case(actor=patrol_staff, source=source, photos=[_before()], **fields)
            elif source == Source.HOTLINE:
                case = report_case(actor=cast.operator, source=source, **fields)
            elif rng.random() < 0.4:
                case = report_case(actor=cast.resident, source=Source.RESIDENT,
                                   photos=[_before()], **fields)
            else:
                case = report_case(actor=AnonymousUser(), source=Source.RESIDENT,
                                   is_anonymous=rng.random() < 0.5, **fields)
        made += 1
        story = _Story(case, moment, rng, cast, now)
        if ending == "merged":
            target = Case.objects.filter(
                town=town, category=category, state__in=[State.REPORTED, State.REGISTERED],
                is_sample=True,
            ).exclude(pk=case.pk).first()
            if target is not None and story.later(0.2, 2):
                story.do("merge", cast.operator, into=target)
            continue
        _tell(story, ending)
    return made


@register("cases", after=("registry", "people", "demo_accounts"))
def load_cases(context) -> None:
    """A few hundred sample cases in every state across the demo grids."""
    from gridgov.demo.loaders import xinjing_town

    made = load_demo_cases(context.town or xinjing_town(), context.random("cases"))
    search.catch_up()  # the sample cases in the search indexes before the first tick
    context.write(f"  {made} 件示例网格事件" if made else "  示例网格事件已存在")
