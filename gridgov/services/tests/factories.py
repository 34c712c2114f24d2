"""Factories of the service package's tests: a town with the sample catalogue installed, the
CaseWorld's staff (gridgov.cases.tests.factories) plus a provider of each sample department,
organisations with valid credit codes, visits."""

import datetime as dt

import factory

from gridgov.accounts.roles import Role
from gridgov.cases.tests.factories import CaseWorld
from gridgov.grids.models import Department
from gridgov.grids.tests.factories import PlaceFactory, UserFactory, staff
from gridgov.services import sample_catalogue
from gridgov.services.credit_code import with_check
from gridgov.services.models import Organisation, Sector, ServiceItem


def credit_code(n: int) -> str:
    return with_check(f"91310105MA{n:07d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"示例企业{n}")
    credit_code = factory.Sequence(credit_code)
    sector = Sector.BUILDING_ENTERPRISE


class ServicesWorld(CaseWorld):
    """CaseWorld, with the sample catalogue in its town (and another in the other town), a
    handler of the party-service centre and of the business office, party-affairs staff."""

    @classmethod
    def build(cls) -> "ServicesWorld":
        w = super().build()
        sample_catalogue.install(w.town)
        sample_catalogue.install(w.other_town)
        w.party_centre = Department.objects.get(town=w.town, name=sample_catalogue.PARTY)
        w.business = Department.objects.get(town=w.town, name=sample_catalogue.BUSINESS)
        w.party_handler = staff(Role.HANDLER, w.party_centre)
        w.business_handler = staff(Role.HANDLER, w.business)
        other_party = Department.objects.get(town=w.other_town, name=sample_catalogue.PARTY)
        w.other_party_handler = staff(Role.HANDLER, other_party)
        w.rider = UserFactory(name="骑手小王")
        w.item = ServiceItem.objects.get(town=w.town, name="骑手驿站休息")  # 党群服务中心, 1 day
        w.partner_item = ServiceItem.objects.get(town=w.town, name="场地资源共享")
        w.building = PlaceFactory(grid=w.grid_a1, name="示例虹桥大厦")
        w.shop = PlaceFactory(grid=w.grid_b1, name="示例便利店", kind="shop")
        return w

    def apply(self, item=None, actor=None, **overrides):
        from gridgov.services import actions

        values = {"applicant_kind": "person", "contact_name": "王小明",
                  "contact_phone": "13912345678", "details": "想在驿站休息充电"}
        values.update(overrides)
        return actions.apply(actor=actor or self.rider, item=item or self.item, **values)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
