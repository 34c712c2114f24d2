"""Demo data of the alliance in 新泾镇. Real (the 2025-07 issue of 新泾报): the alliance's name and
its five grid projects. Invented and marked is_sample: the member organisations, which grid runs
which project (demo.xinjing.SIGNATURE_SERVICES), the other grids' signature services, the
volunteers, activities and hours. A second run changes nothing (natural keys; activities and
volunteers only when the town has none)."""

import datetime as dt

from django.utils import timezone

from gridgov.demo.loaders import ensure_user, xinjing_town
from gridgov.demo.registry import DemoAccount, DemoContext, register
from gridgov.demo import xinjing
from gridgov.grids.models import Grid
from gridgov.volunteers import actions, ledger
from gridgov.volunteers.workflow import served_minutes
from gridgov.volunteers.models import (
    Activity,
    Organisation,
    OrganisationKind,
    Organiser,
    Project,
    SignatureService,
    Signup,
    SignupState,
    Skill,
    Volunteer,
    VolunteerState,
)

SKILLS = [("reading", "阅读辅导"), ("first_aid", "急救"), ("medical", "医护"),
          ("elderly", "为老服务"), ("traffic", "交通劝导"), ("photo", "摄影宣传"),
          ("legal", "法律咨询"), ("general", "综合服务")]

ORGANISATIONS = [
    ("新泾镇社区卫生服务中心", OrganisationKind.UNIT, 6),
    ("新泾中学", OrganisationKind.SCHOOL, 1),
    ("西郊金融园企业志愿联合会", OrganisationKind.COMPANY, 4),
    ("天山西居民区睦邻志愿队", OrganisationKind.RESIDENTS, 9),
    ("新泾镇廉洁文化宣讲团", OrganisationKind.SOCIAL, 12),
    ("淞虹路地铁站青年志愿服务队", OrganisationKind.UNIT, 15),
]

# The five projects (real names), what each serves, its lead (above) and its skills.
PROJECTS = [
    ("泾彩悦读", "阅读推广", "新泾中学", "reading",
     "在社区书屋和楼宇开展亲子阅读、读书会和青少年课业辅导。"),
    ("健康守护", "健康服务", "新泾镇社区卫生服务中心", "medical",
     "义诊、健康讲座、急救培训，为居民和新就业群体测血压、讲健康。"),
    ("乐颐空间", "为老服务", "天山西居民区睦邻志愿队", "elderly",
     "陪伴独居老人、助餐送餐、智能手机教学。"),
    ("尚廉新泾", "廉洁文化", "新泾镇廉洁文化宣讲团", "legal",
     "廉洁文化进楼宇、进社区，法律咨询与宣讲。"),
    ("文明保畅", "文明交通", "淞虹路地铁站青年志愿服务队", "traffic",
     "地铁站和路口文明交通劝导、非机动车停放引导。"),
]

# Invented signature services ("一格一最") for the grids that run none of the five projects.
OTHER_SIGNATURES = ["最暖楼门口", "最美生境花园", "最亮夜间巡防", "最便民修补站", "最贴心助餐点",
                    "最活力健身点", "最整洁街区", "最温馨睦邻角", "最安心电梯守护", "最清爽河道",
                    "最有序非机动车棚"]

ORGANISER_PHONE, ORGANISER_NAME = "13800000009", "陈淑芬"
RESIDENT_PHONE = "13800000008"  # the demo's resident (钱小红) is an approved volunteer


@register("volunteers", after=("registry", "people", "demo_accounts"))
def load_volunteers(context: DemoContext) -> None:
    town = xinjing_town()
    skills = {code: Skill.objects.update_or_create(code=code, defaults={"name": name,
                                                                        "order": n})[0]
              for n, (code, name) in enumerate(SKILLS)}
    grids = {g.number: g for g in Grid.objects.filter(town=town)}
    orgs = {name: Organisation.objects.update_or_create(
        town=town, name=name, defaults={"kind": kind, "grid": grids.get(number),
                                        "is_sample": True})[0]
        for name, kind, number in ORGANISATIONS}
    by_name = {name: number for number, name in xinjing.SIGNATURE_SERVICES.items()}
    projects = {}
    for name, theme, lead, _skill, description in PROJECTS:
        project, _ = Project.objects.update_or_create(town=town, name=name, defaults={
            "theme": theme, "lead": orgs[lead], "description": description, "is_sample": False})
        if name in by_name and by_name[name] in grids:
            project.grids.add(grids[by_name[name]])
        projects[name] = project
    others = iter(OTHER_SIGNATURES)
    for number, grid in sorted(grids.items()):
        name = xinjing.SIGNATURE_SERVICES.get(number)
        SignatureService.objects.update_or_create(grid=grid, defaults={
            "town": town, "name": name or next(others, f"第{number}网格特色服务"),
            "project": projects.get(name),
            "description": "网格志愿服务品牌（示例）", "is_sample": True})

    organiser = ensure_user(ORGANISER_PHONE, ORGANISER_NAME, xinjing.DEMO_PASSWORD)
    Organiser.objects.get_or_create(organisation=orgs["新泾镇社区卫生服务中心"], user=organiser)
    context.accounts.append(DemoAccount("志愿服务组织者", ORGANISER_PHONE, ORGANISER_NAME,
                                        "新泾镇社区卫生服务中心"))
    if Volunteer.objects.filter(town=town).exists():
        return
    _people(town, orgs, projects, skills, grids, context)


def _people(town, orgs, projects, skills, grids, context):
    rng = context.random("volunteers")
    now = timezone.now()
    org_list = list(orgs.values())
    volunteers = []
    resident = ensure_user(RESIDENT_PHONE, "钱小红", xinjing.DEMO_PASSWORD)
    for n in range(60):
        user = resident if n == 0 else ensure_user(
            f"1370000{n:04d}", rng.choice(xinjing.SURNAMES) + rng.choice(xinjing.GIVEN_NAMES))
        project = list(projects.values())[n % 5]
        state = (VolunteerState.APPLIED if n in (7, 19, 33, 48)
                 else VolunteerState.AWAITING_CONSENT if n == 55 else VolunteerState.APPROVED)
        born = dt.date(2011, 3, 9) if n == 55 else dt.date(1950 + rng.randrange(55),
                                                          rng.randrange(1, 13), rng.randrange(1, 28))
        volunteer = Volunteer.objects.create(
            town=town, user=user, name=user.name, phone=user.phone, birth_date=born,
            organisation=project.lead if n % 3 else rng.choice(org_list), project=project,
            state=state, availability=["weekend_day"],
            guardian_name="钱建国" if n == 55 else "", guardian_phone="13700009999" if n == 55 else "",
            applied_at=now - dt.timedelta(days=rng.randrange(1, 300)), is_sample=n != 0)
        volunteer.skills.set([skills["general"], skills[PROJECTS[n % 5][3]]])
        volunteer.grids.set(rng.sample(list(grids.values()), 2))
        volunteers.append(volunteer)
    approved = [v for v in volunteers if v.state == VolunteerState.APPROVED]

    grid_of = {name: number for number, name in xinjing.SIGNATURE_SERVICES.items()}
    titles = {"泾彩悦读": "社区书屋亲子共读", "健康守护": "义诊与健康讲座",
              "乐颐空间": "独居老人陪伴探访", "尚廉新泾": "廉洁文化进楼宇",
              "文明保畅": "淞虹路地铁站文明引导"}
    places = {"泾彩悦读": "社区书屋", "健康守护": "社区卫生服务站", "乐颐空间": "睦邻点",
              "尚廉新泾": "楼宇党群服务站", "文明保畅": "淞虹路地铁站2号口"}

    def activity(project, start, hours, capacity):
        grid = grids.get(grid_of.get(project.name)) or rng.choice(list(grids.values()))
        return Activity.objects.create(
            town=town, grid=grid, organisation=project.lead, project=project,
            title=titles[project.name], place_name=places[project.name],
            description="示例活动：" + project.description, starts_at=start,
            ends_at=start + dt.timedelta(hours=hours), capacity=capacity, waitlist_limit=5,
            cancel_deadline=start - dt.timedelta(hours=24), is_sample=True)

    # The past four months: attended activities with real check-in and check-out times.
    day0 = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    for k in range(40):
        project = list(projects.values())[k % 5]
        start = day0 - dt.timedelta(days=3 + 3 * k)
        past = activity(project, start, 2 + k % 3, 8)
        crew = rng.sample(approved, 7)
        for m, volunteer in enumerate(crew):
            if m == 6:
                Signup.objects.create(activity=past, volunteer=volunteer,
                                      state=SignupState.ABSENT, created_at=start - dt.timedelta(days=2))
                continue
            came = start + dt.timedelta(minutes=rng.randrange(-20, 15))
            left = past.ends_at + dt.timedelta(minutes=rng.randrange(-30, 20))
            Signup.objects.create(activity=past, volunteer=volunteer, state=SignupState.COMPLETED,
                                  created_at=start - dt.timedelta(days=2), checked_in_at=came,
                                  checked_out_at=left, minutes=served_minutes(past, came, left))
        Activity.objects.filter(pk=past.pk).update(confirmed_count=7)
    ledger.rebuild(town.pk)

    # Today (running now, for the roll-call) and the coming weeks, signed up through the action.
    today = activity(projects["健康守护"], now - dt.timedelta(minutes=20), 3, 10)
    upcoming = [today]
    for k in range(12):
        project = list(projects.values())[k % 5]
        start = day0 + dt.timedelta(days=1 + 2 * k, hours=(k % 3) * 3 - 1)
        upcoming.append(activity(project, start, 2, 4 if k == 0 else 12))
    for k, item in enumerate(upcoming[1:]):
        for volunteer in rng.sample(approved[1:], 8 if k == 0 else 5):
            _sign_up(item, volunteer)
    _sign_up(upcoming[1], approved[0])  # the demo resident, on the first one
    # The running activity's crew signed up before it began.
    for volunteer in approved[1:7]:
        Signup.objects.create(activity=today, volunteer=volunteer, state=SignupState.CONFIRMED,
                              created_at=now - dt.timedelta(days=1))
    Activity.objects.filter(pk=today.pk).update(confirmed_count=6)


def _sign_up(activity, volunteer):
    from gridgov.core.errors import Refusal

    try:
        actions.sign_up(activity, actor=volunteer.user)
    except Refusal:
        pass
