"""The hours ledger: service minutes per volunteer, year, month, project, grid and organisation.

The ledger's source is the sign-ups' minutes (set from real check-in and check-out, or by an
organiser's correction). Each of those writes adds its minutes here in the same transaction:
`Volunteer.total_minutes` (cumulative, the star level), `YearHours` (one row per volunteer and
year) and `UnitMonthHours` (per month, project, grid, organisation). The ledger page reads these
rollups through their indexes, never the attendances; `rebuild()` recomputes them from the
sign-ups (and the tests check the two agree).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone


def star_for(minutes: int) -> int:
    """Stars (0-5) by cumulative hours: the first threshold reached gives one star, and so on
    (GRIDGOV_VOLUNTEER_STAR_HOURS)."""
    hours = minutes / 60
    return sum(1 for threshold in settings.GRIDGOV_VOLUNTEER_STAR_HOURS if hours >= threshold)


def next_star_hours(minutes: int) -> int | None:
    hours = minutes / 60
    return next((t for t in settings.GRIDGOV_VOLUNTEER_STAR_HOURS if hours < t), None)


def _bump(model, keys: dict, defaults: dict, minutes: int, services: int) -> None:
    """Add to the row named by `keys`, creating it when missing (a concurrent creator makes the
    insert fail inside its savepoint; the update then finds the row)."""
    change = {"minutes": F("minutes") + minutes, "services": F("services") + services}
    if model.objects.filter(**keys).update(**change):
        return
    try:
        with transaction.atomic():
            model.objects.create(**keys, **defaults, minutes=minutes, services=services)
    except IntegrityError:
        model.objects.filter(**keys).update(**change)


def service_day(activity) -> dt.date:
    return timezone.localtime(activity.starts_at).date()


def add(signup, minutes: int, services: int) -> None:
    """Add a sign-up's minutes (and a count of services) to every rollup; called in the
    transaction that set or changed the sign-up's minutes."""
    from gridgov.volunteers.models import UnitMonthHours, Volunteer, YearHours

    if not minutes and not services:
        return
    activity = signup.activity
    day = service_day(activity)
    Volunteer.objects.filter(pk=signup.volunteer_id).update(
        total_minutes=F("total_minutes") + minutes, total_services=F("total_services") + services)
    _bump(YearHours, {"volunteer_id": signup.volunteer_id, "year": day.year},
          {"town_id": activity.town_id}, minutes, services)
    _bump(UnitMonthHours, {"month": day.replace(day=1), "project_id": activity.project_id,
                           "grid_id": activity.grid_id,
                           "organisation_id": activity.organisation_id},
          {"town_id": activity.town_id}, minutes, services)


def counted_signups():
    """The sign-ups the ledger counts: those with minutes."""
    from gridgov.volunteers.models import Signup

    return Signup.objects.filter(minutes__isnull=False)


def rebuild(town_id: int | None = None) -> None:
    """Recompute every rollup from the sign-ups (after a bulk load or a repair), set-based: one
    aggregate query per table, written in chunks."""
    from django.db.models import Count, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, ExtractYear, TruncMonth

    from gridgov.volunteers.models import UnitMonthHours, Volunteer, YearHours

    signups = counted_signups()
    volunteers = Volunteer.objects.all()
    if town_id is not None:
        signups = signups.filter(activity__town_id=town_id)
        volunteers = volunteers.filter(town_id=town_id)
    local = timezone.get_current_timezone()
    with transaction.atomic():
        YearHours.objects.filter(volunteer__in=volunteers).delete()
        UnitMonthHours.objects.filter(**({"town_id": town_id} if town_id else {})).delete()
        per_volunteer = (counted_signups().filter(volunteer=OuterRef("pk")).order_by()
                         .values("volunteer"))
        volunteers.update(
            total_minutes=Coalesce(Subquery(per_volunteer.annotate(m=Sum("minutes")).values("m")),
                                   Value(0)),
            total_services=Coalesce(Subquery(per_volunteer.annotate(n=Count("pk")).values("n")),
                                    Value(0)))
        years = (signups.order_by()
                 .values("volunteer_id", "activity__town_id",
                         year=ExtractYear("activity__starts_at", tzinfo=local))
                 .annotate(m=Sum("minutes"), n=Count("pk")))
        _write(YearHours, (YearHours(volunteer_id=r["volunteer_id"], town_id=r["activity__town_id"],
                                     year=r["year"], minutes=r["m"], services=r["n"])
                           for r in years.iterator(chunk_size=5000)))
        units = (signups.order_by()
                 .values("activity__town_id", "activity__project_id", "activity__grid_id",
                         "activity__organisation_id",
                         month=TruncMonth("activity__starts_at", tzinfo=local))
                 .annotate(m=Sum("minutes"), n=Count("pk")))
        _write(UnitMonthHours, (UnitMonthHours(
            town_id=r["activity__town_id"], project_id=r["activity__project_id"],
            grid_id=r["activity__grid_id"], organisation_id=r["activity__organisation_id"],
            month=r["month"].date() if hasattr(r["month"], "date") else r["month"],
            minutes=r["m"], services=r["n"]) for r in units.iterator(chunk_size=5000)))


def _write(model, rows, size: int = 5000) -> None:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            model.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        model.objects.bulk_create(chunk)


def volunteer_totals(volunteer) -> dict:
    """A volunteer's figures for the certificate and their own page: cumulative and by year from
    the rollups, by project from their sign-ups."""
    from gridgov.volunteers.models import YearHours

    years = list(YearHours.objects.filter(volunteer=volunteer).order_by("year")
                 .values("year", "minutes", "services"))
    projects = list(counted_signups().filter(volunteer=volunteer)
                    .values("activity__project__name")
                    .annotate(minutes=Sum("minutes")).order_by("-minutes"))
    return {
        "minutes": volunteer.total_minutes,
        "hours": round(volunteer.total_minutes / 60, 1),
        "services": volunteer.total_services,
        "star": star_for(volunteer.total_minutes),
        "next_star_hours": next_star_hours(volunteer.total_minutes),
        "years": [{**y, "hours": round(y["minutes"] / 60, 1)} for y in years],
        "projects": [{"project": p["activity__project__name"], "minutes": p["minutes"],
                      "hours": round(p["minutes"] / 60, 1)} for p in projects],
    }


# ----- the ledger page's reads (rollups only, by their indexes) ---------------------------------

PAGE_SIZE = 50


def parse_cursor(text: str | None):
    """A ranking cursor "minutes.volunteer_id.rank" (the last row shown), or None; junk is None."""
    parts = (text or "").split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 10 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _before(columns: str, after) -> dict:
    """The rows after a cursor in the order most hours first (ties: highest id first): one row
    comparison, which both databases answer by a backward range scan of the ranking index."""
    return {"where": [f"({columns}) < (%s, %s)"], "params": [after[0], after[1]]}


def ranking(town_ids, *, year: int | None, after=None):
    """One page of a town's volunteers by hours, for a year (YearHours) or all time
    (Volunteer.total_minutes), after the cursor `after` = (minutes, volunteer id, rank) of the
    last row shown: keyset pages, each an index range scan of PAGE_SIZE rows however deep.
    Returns ([(volunteer id, name, minutes, services, organisation id)], row count, the rank
    before the page, the next page's cursor or None)."""
    from gridgov.volunteers.models import Volunteer, YearHours

    rank = 0
    if year is None:
        rows = Volunteer.objects.filter(town_id__in=town_ids, total_minutes__gt=0)
        count = rows.count()
        if after:
            rank = after[2]
            rows = rows.extra(**_before('"volunteers_volunteer"."total_minutes", '
                                        '"volunteers_volunteer"."id"', after))
        page = [(v.pk, v.name, v.total_minutes, v.total_services, v.organisation_id)
                for v in rows.order_by("-total_minutes", "-id").only(
                    "id", "name", "total_minutes", "total_services", "organisation_id")[:PAGE_SIZE]]
    else:
        rows = YearHours.objects.filter(town_id__in=town_ids, year=year)
        count = rows.count()
        if after:
            rank = after[2]
            rows = rows.extra(**_before('"volunteers_yearhours"."minutes", '
                                        '"volunteers_yearhours"."volunteer_id"', after))
        page = [(y.volunteer_id, y.volunteer.name, y.minutes, y.services,
                 y.volunteer.organisation_id)
                for y in rows.order_by("-minutes", "-volunteer_id").select_related("volunteer").only(
                    "volunteer_id", "minutes", "services", "volunteer__name",
                    "volunteer__organisation_id")[:PAGE_SIZE]]
    following = None
    if len(page) == PAGE_SIZE and rank + PAGE_SIZE < count:
        following = f"{page[-1][2]}.{page[-1][0]}.{rank + PAGE_SIZE}"
    return page, count, rank, following


UNIT_FIELDS = {"project": "project__name", "grid": "grid__name",
               "organisation": "organisation__name", "month": "month"}


def unit_totals(town_ids, *, by: str, year: int | None = None, **filters):
    """Minutes and services by project, grid, organisation or month (UnitMonthHours)."""
    from gridgov.volunteers.models import UnitMonthHours

    rows = UnitMonthHours.objects.filter(town_id__in=town_ids)
    if year is not None:
        rows = rows.filter(month__year=year)
    for name, value in filters.items():
        if value is not None:
            rows = rows.filter(**{f"{name}_id": value})
    label = UNIT_FIELDS[by]
    return [{"label": str(r[label]), "minutes": r["minutes"], "services": r["services"],
             "hours": round(r["minutes"] / 60, 1)}
            for r in rows.values(label).annotate(minutes=Sum("minutes"), services=Sum("services"))
            .order_by(label if by == "month" else "-minutes")]
