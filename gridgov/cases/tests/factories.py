"""Factories for cases, shared by the cases tests (registry factories: gridgov.grids.tests.factories).

CaseFactory writes a row directly, in any state, for lists, search and maps; a test of the
workflow itself reports and moves its case through gridgov.cases.actions instead.
"""

import factory

from gridgov.cases.models import Case, Category, CategoryKind, Source, TimeLimitClass
from gridgov.grids.models import DepartmentKind
from gridgov.grids.tests.factories import GridFactory, centre


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("kind", "major_code", "minor_code")

    kind = CategoryKind.COMPONENT
    major_code = "01"
    major_name = "公用设施"
    minor_code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"示例小类{n}")
    plain_name = factory.LazyAttribute(lambda o: f"{o.name}有问题")
    department_kind = DepartmentKind.ENFORCEMENT
    time_limit_class = TimeLimitClass.ORDINARY
    time_limit_days = 5


class CaseFactory(factory.django.DjangoModelFactory):
    """A case at the centre of its grid."""

    class Meta:
        model = Case

    grid = factory.SubFactory(GridFactory)
    community = factory.LazyAttribute(lambda o: o.grid.community)
    town = factory.LazyAttribute(lambda o: o.grid.town)
    category = factory.SubFactory(CategoryFactory)
    number = factory.Sequence(lambda n: f"T{n:08d}")
    source = Source.RESIDENT
    description = factory.Sequence(lambda n: f"示例问题描述{n}")
    address = factory.Sequence(lambda n: f"示例路{n + 1}号")
    longitude = factory.LazyAttribute(lambda o: centre(o.grid.boundary)[0])
    latitude = factory.LazyAttribute(lambda o: centre(o.grid.boundary)[1])


def photo(name: str = "photo.jpg", *, kind: str = "JPEG", size=(64, 48), gps: bool = False):
    """An uploaded picture made by Pillow; gps=True writes EXIF with a GPS position, as a phone
    does."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 22.0, 10.0)}
        options["exif"] = exif
    image.save(out, kind, **options)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[kind]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


class CaseWorld:
    """A town to run cases in: two communities (a, b), grids a1 and a2 in a, b1 in b; a
    town-wide 综合行政执法队 (the default department of `category`), a 市场监管所, a 物业 serving
    community a; one user per role and scope; and another town with its own staff, who must be
    refused everywhere. report() and walk() bring a case to any state through the real
    workflow."""

    @classmethod
    def build(cls) -> "CaseWorld":
        from gridgov.accounts.roles import Role
        from gridgov.grids.tests.factories import (
            CommunityFactory,
            DepartmentFactory,
            TownFactory,
            UserFactory,
            staff,
        )

        w = cls()
        w.town = TownFactory()
        w.community_a = CommunityFactory(town=w.town, name="示例甲居民区")
        w.community_b = CommunityFactory(town=w.town, name="示例乙居民区")
        w.grid_a1 = GridFactory(community=w.community_a)
        w.grid_a2 = GridFactory(community=w.community_a)
        w.grid_b1 = GridFactory(community=w.community_b)
        w.enforcement = DepartmentFactory(town=w.town, name="示例综合行政执法队",
                                          kind=DepartmentKind.ENFORCEMENT)
        w.market = DepartmentFactory(town=w.town, name="示例市场监管所", kind=DepartmentKind.MARKET)
        w.property_a = DepartmentFactory(town=w.town, name="示例甲物业", kind=DepartmentKind.PROPERTY,
                                         community=w.community_a)
        w.category = CategoryFactory(kind="event", major_code="05", major_name="街面秩序",
                                     minor_code="01", name="占道经营", plain_name="占道摆摊",
                                     department_kind=DepartmentKind.ENFORCEMENT)
        w.operator = staff(Role.OPERATOR, w.town)
        w.operator_b = staff(Role.OPERATOR, w.community_b)
        w.leader = staff(Role.LEADER, w.town)
        w.handler = staff(Role.HANDLER, w.enforcement)
        w.market_handler = staff(Role.HANDLER, w.market)
        w.grid_staff = staff(Role.GRID_STAFF, w.grid_a1)
        w.grid_staff_b = staff(Role.GRID_STAFF, w.community_b)
        w.resident = UserFactory()
        # Roles that take no step of the loop; each must be refused every move.
        w.admin = staff(Role.ADMIN, w.town)
        w.deputy = staff(Role.DEPUTY, w.town)
        w.party_affairs = staff(Role.PARTY_AFFAIRS, w.town)

        w.other_town = TownFactory(name="示例外镇")
        w.other_grid = GridFactory(community=CommunityFactory(town=w.other_town))
        w.other_department = DepartmentFactory(town=w.other_town, kind=DepartmentKind.ENFORCEMENT)
        w.other_operator = staff(Role.OPERATOR, w.other_town)
        w.other_handler = staff(Role.HANDLER, w.other_department)
        w.other_grid_staff = staff(Role.GRID_STAFF, w.other_grid)
        return w

    def users(self) -> dict:
        """Every user of the world by name (for table tests over roles)."""
        names = ["operator", "operator_b", "leader", "handler", "market_handler", "grid_staff",
                 "grid_staff_b", "resident", "admin", "deputy", "party_affairs",
                 "other_operator", "other_handler", "other_grid_staff"]
        return {name: getattr(self, name) for name in names}

    def report(self, actor=None, *, grid=None, **fields):
        from gridgov.cases.actions import report_case

        grid = grid or self.grid_a1
        lon, lat = centre(grid.boundary)
        values = {"category": self.category, "description": "示例：路口有人占道摆摊卖水果",
                  "longitude": lon, "latitude": lat, "address": "示例路1号",
                  "source": Source.RESIDENT}
        values.update(fields)
        return report_case(actor=actor if actor is not None else self.resident, **values)

    def walk(self, case, state: str):
        """Move a case of grid a1 (or anywhere in the town, since the operator verifies) on
        through the workflow, from wherever it is, until it reaches `state`."""
        from gridgov.cases.actions import act, rate
        from gridgov.cases.models import State

        after = {"after_photos": [photo("after.jpg")]}
        detours = {
            State.REJECTED: {State.REPORTED: ("reject", self.operator, {"note": "示例：不属于受理范围"})},
            State.SUSPENDED: {State.REGISTERED: ("suspend", self.operator, {"note": "示例：待统筹"})},
        }
        main = {
            State.REPORTED: ("register", self.operator, {}),
            State.REGISTERED: ("dispatch", self.operator, {}),
            State.DISPATCHED: ("accept", self.handler, {}),
            State.HANDLING: ("handle", self.handler, after),
            State.HANDLED: ("verify", self.operator, {}),
            State.VERIFIED: ("close", self.operator, {}),
        }
        while case.state != state:
            step = detours.get(state, {}).get(case.state) or main.get(case.state)
            if step is None:
                if case.state == State.CLOSED and state == State.EVALUATED:
                    return rate(case, satisfaction="satisfied", tracking_code=case.tracking_code)
                raise ValueError(f"walk() cannot go from {case.state} to {state}")
            action, actor, data = step
            case, _ = act(case, action, actor=actor, **data)
        return case


def notices(kind: str | None = None) -> list[tuple[str, object]]:
    """The outbox's notices about cases, oldest first: (event action, user id or address)."""
    from gridgov.core.models import Notice

    rows = Notice.objects.filter(kind__startswith="cases.").order_by("id")
    if kind is not None:
        rows = rows.filter(kind=f"cases.{kind}")
    return [(n.kind.removeprefix("cases."), n.user_id or n.address) for n in rows]
