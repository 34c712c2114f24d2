"""Coverage figures, computed in the database with one grouped query each.

Visits: which organisations and places of the user's scope were visited in a period, how often,
and which never (in the period, or at all).

Two coverages (两个覆盖) of the new-sector register: organisation coverage (a party
organisation of its own, or attached to one) and work coverage (party work reaches it), as counts
and rates by grid, building or sector, and the list of the uncovered (either coverage missing).
A rate is covered / total, None when there is nothing to count.
"""

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from .models import Organisation, Sector
from .rules import COVERAGE_READERS, VISIT_TEAM

GROUPS = {
    "grid": ("grid_id", "grid__name"),
    "building": ("building_id", "building__name"),
    "sector": ("sector", "sector"),
    "community": ("grid__community_id", "grid__community__name"),
}
SECTOR_LABELS = dict(Sector.choices)


@dataclass(frozen=True)
class CoverageRow:
    key: object
    label: str
    total: int
    organisation_covered: int
    work_covered: int
    both: int

    @staticmethod
    def rate(part: int, total: int) -> float | None:
        return round(part / total, 4) if total else None

    @property
    def organisation_rate(self) -> float | None:
        return self.rate(self.organisation_covered, self.total)

    @property
    def work_rate(self) -> float | None:
        return self.rate(self.work_covered, self.total)

    @property
    def both_rate(self) -> float | None:
        return self.rate(self.both, self.total)

    @property
    def uncovered(self) -> int:
        return self.total - self.both

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "total": self.total,
                "organisation_covered": self.organisation_covered,
                "work_covered": self.work_covered, "both": self.both,
                "organisation_rate": self.organisation_rate, "work_rate": self.work_rate,
                "both_rate": self.both_rate}


def register_for(user):
    return Organisation.objects.visible_to(user, roles=COVERAGE_READERS)


def _counts():
    covered = Organisation.ORG_COVERED
    # Named apart from the model's own fields (work_covered), which a filter would else read.
    return {"n_total": Count("pk"), "n_organisation": Count("pk", filter=covered),
            "n_work": Count("pk", filter=Q(work_covered=True)),
            "n_both": Count("pk", filter=covered & Q(work_covered=True))}


def _row(key, label, counts) -> "CoverageRow":
    return CoverageRow(key, label, counts["n_total"], counts["n_organisation"],
                       counts["n_work"], counts["n_both"])


def coverage_by(organisations, group: str) -> list[CoverageRow]:
    """One row per grid, building, community or sector (group), in one GROUP BY."""
    key, label = GROUPS[group]
    rows = (organisations.order_by().values(key, label).annotate(**_counts())
            .order_by(label))
    found = []
    for row in rows:
        name = row[label]
        if group == "sector":
            name = str(SECTOR_LABELS.get(name, name))
        found.append(_row(row[key], name or "（未落网格/楼宇）", row))
    return found


def coverage_total(organisations) -> CoverageRow:
    return _row("all", "合计", organisations.order_by().aggregate(**_counts()))


def uncovered(organisations):
    return organisations.uncovered().select_related("grid", "building").order_by("grid__name",
                                                                                  "name")


# ----- visits ------------------------------------------------------------------------------

VISITED_PLACE_KINDS = ("building", "shop_street", "shop", "market", "enterprise")


def _in_period(start, end) -> Q:
    return Q(visit_records__visited_on__gte=start, visit_records__visited_on__lte=end)


def visited_organisations(user, start, end):
    """Organisations of the user's scope with their visits in [start, end] and their last
    visit ever; never visited in the period first."""
    return (Organisation.objects.visible_to(user, roles=VISIT_TEAM | COVERAGE_READERS)
            .annotate(visits=Count("visit_records", filter=_in_period(start, end)),
                      last_visit=Max("visit_records__visited_on"))
            .select_related("grid", "building").order_by("visits", "name"))


def visited_places(user, start, end):
    """Buildings, shops and markets of the user's scope, counted the same way."""
    from gridgov.grids.models import Place

    return (Place.objects.visible_to(user).filter(kind__in=VISITED_PLACE_KINDS)
            .annotate(visits=Count("visit_records", filter=_in_period(start, end)),
                      last_visit=Max("visit_records__visited_on"))
            .select_related("grid").order_by("visits", "name"))


def visit_summary(rows) -> dict:
    """Counts over visited_organisations() or visited_places(): in scope, visited in the period,
    visited ever, never visited; and the period's rate."""
    total = visited = ever = 0
    for visits, last in rows.values_list("visits", "last_visit"):
        total += 1
        visited += visits > 0
        ever += last is not None
    return {"total": total, "visited": visited, "ever": ever, "never": total - ever,
            "rate": CoverageRow.rate(visited, total)}
