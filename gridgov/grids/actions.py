"""Writes and audited reads on the registry that are not imports (see io/)."""

from django.db import transaction

from gridgov.core import audit, pii
from gridgov.grids.access import staff_with_full_phone_access
from gridgov.grids.lookup import assign_grid
from gridgov.grids.models import GridStaff, Place

audit.register("grids.place.created", "新建地点")


@transaction.atomic
def create_place(*, actor, town, kind: str, name: str, longitude: float, latitude: float,
                 address: str = "", is_sample: bool = False) -> Place:
    """A place filed under the grid its coordinates fall in (none when outside every grid)."""
    place = Place(town=town, kind=kind, name=name, address=address, longitude=longitude,
                  latitude=latitude, is_sample=is_sample)
    result = assign_grid(place)
    place.full_clean()
    place.save()
    audit.record("grids.place.created", actor=actor, target=place, changes={
        "kind": kind, "grid": place.grid_id, "lookup": result.status})
    return place


def may_see_full_phone(actor, staff: GridStaff) -> bool:
    """Roles that follow people up (PII_ROLES) within their scope."""
    return staff.pk in staff_with_full_phone_access(actor, [staff.pk])


def reveal_staff_phone(staff: GridStaff, *, actor) -> str:
    """The full mobile number of a grid post's holder; PermissionDenied otherwise. Audited."""
    return pii.reveal(staff.user, "phone", actor=actor,
                      may_reveal=lambda user, _person: may_see_full_phone(user, staff))
