import pytest

from gridgov.grids.models import Grid
from gridgov.grids.tests.factories import GridFactory, square

pytestmark = pytest.mark.django_db


def test_a_changed_boundary_moves_the_stored_extent_even_when_saving_some_fields():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    Grid.objects.update_or_create(pk=grid.pk, defaults={"boundary": square(121.5, 31.5, 0.02)})
    stored = Grid.objects.get(pk=grid.pk)
    assert (stored.min_longitude, stored.min_latitude) == pytest.approx((121.5, 31.5))
    assert (stored.max_longitude, stored.max_latitude) == pytest.approx((121.52, 31.52))
    assert stored.area_m2 > grid.area_m2 * 3
