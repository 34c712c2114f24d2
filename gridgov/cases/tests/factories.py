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
