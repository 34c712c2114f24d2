"""Factories and one small world of the alliance: a town with two organisations, a project, a
grid, an organiser per organisation, the alliance's office, and approved volunteers."""

import datetime as dt
from dataclasses import dataclass

import factory
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import GridFactory, TownFactory, UserFactory, staff
from gridgov.volunteers import actions
from gridgov.volunteers.models import (
    Activity,
    Organisation,
    OrganisationKind,
    Organiser,
    Project,
    Skill,
    Volunteer,
    VolunteerState,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"示例单位{n}")
    kind = OrganisationKind.UNIT


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    lead = factory.SubFactory(OrganisationFactory)
    town = factory.LazyAttribute(lambda o: o.lead.town)
    name = factory.Sequence(lambda n: f"示例项目{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill{n}")
    name = factory.Sequence(lambda n: f"技能{n}")


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    organisation = factory.SubFactory(OrganisationFactory)
    town = factory.LazyAttribute(lambda o: o.organisation.town)
    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.name)
    phone = factory.LazyAttribute(lambda o: o.user.phone)
    birth_date = dt.date(1990, 5, 1)
    state = VolunteerState.APPROVED


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organisation = factory.SubFactory(OrganisationFactory)
    town = factory.LazyAttribute(lambda o: o.organisation.town)
    project = factory.LazyAttribute(lambda o: ProjectFactory(lead=o.organisation))
    grid = factory.LazyAttribute(lambda o: GridFactory(community__town=o.town))
    title = factory.Sequence(lambda n: f"示例活动{n}")
    place_name = "社区服务站"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    cancel_deadline = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(hours=24))
    capacity = 5
    waitlist_limit = 3


def organiser_of(organisation, **user_fields):
    user = UserFactory(**user_fields)
    Organiser.objects.create(organisation=organisation, user=user)
    return user


@dataclass
class World:
    town: object
    grid: object
    org: object
    other_org: object
    project: object
    organiser: object
    other_organiser: object
    office: object

    @classmethod
    def build(cls):
        town = TownFactory()
        grid = GridFactory(community__town=town)
        org = OrganisationFactory(town=town, name="示例社区卫生服务中心")
        other = OrganisationFactory(town=town, name="示例中学")
        return cls(town=town, grid=grid, org=org, other_org=other,
                   project=ProjectFactory(lead=org, town=town, name="健康守护"),
                   organiser=organiser_of(org), other_organiser=organiser_of(other),
                   office=staff(Role.PARTY_AFFAIRS, town))

    def activity(self, **fields):
        return ActivityFactory(organisation=self.org, project=self.project, grid=self.grid,
                               **fields)

    def volunteer(self, **fields):
        return VolunteerFactory(organisation=self.org, town=self.town, **fields)

    def volunteers(self, n):
        return [self.volunteer() for _ in range(n)]

    def signed_up(self, activity, volunteer=None):
        volunteer = volunteer or self.volunteer()
        return actions.sign_up(activity, actor=volunteer.user)
