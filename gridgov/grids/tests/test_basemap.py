"""The town's own base map: import (all or nothing, errors per feature) and the map endpoint
(bounded, filtered by viewport and zoom, simplified, labelled once per name, cacheable)."""

import io
import json

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.urls import reverse

from gridgov.core.models import AuditEntry
from gridgov.grids import basemap
from gridgov.grids.io.basemap_import import import_basemap
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.models import BaseMapFeature
from gridgov.grids.tests.factories import TownFactory

pytestmark = pytest.mark.django_db


def road(coordinates, name="", **properties):
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coordinates},
            "properties": {"name": name, **properties}}


def building(west, south, size=0.0002):
    ring = [[west, south], [west + size, south], [west + size, south + size],
            [west, south + size], [west, south]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {}}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture
def town():
    return TownFactory()


def view(client, bbox="121.0,31.0,121.1,31.1", zoom=15):
    return client.get(reverse("grids:basemap"), {"bbox": bbox, "zoom": zoom})


def test_a_layer_is_imported_and_replaced_whole(town):
    # A GIS delivers a road in segments: one feature per road name, joined where they meet.
    report = import_basemap(collection(road([[121.01, 31.01], [121.02, 31.01]], "新渔东路"),
                                       road([[121.02, 31.01], [121.03, 31.01]], "新渔东路"),
                                       road([[121.0, 31.0], [121.0, 31.001]]),
                                       road([[121.0, 31.001], [121.0, 31.002]]),
                                       road([[121.05, 31.0], [121.05, 31.001]])),
                            town=town, kind="road", actor=None)
    assert (report.rows, report.created) == (5, 3)
    feature = BaseMapFeature.objects.get(name="新渔东路")
    assert json.loads(shapely.to_geojson(shapely.from_wkb(feature.geometry))) == {
        "type": "LineString", "coordinates": [[121.01, 31.01], [121.02, 31.01], [121.03, 31.01]]}
    assert (feature.min_longitude, feature.max_longitude) == (121.01, 121.03)
    assert (feature.min_zoom, feature.label_min_zoom) == (12, 14)
    assert sorted(BaseMapFeature.objects.filter(name="").values_list("max_latitude", "min_zoom")) == [
        (31.001, 15), (31.002, 15)]  # unnamed lanes: joined where they meet, drawn later

    import_basemap(collection(road([[121.05, 31.05], [121.06, 31.05]], "淞虹路", min_zoom=13)),
                   town=town, kind="road", actor=None)
    assert list(BaseMapFeature.objects.values_list("name", "min_zoom")) == [("淞虹路", 13)]
    assert AuditEntry.objects.filter(action="grids.basemap.imported").count() == 2


def test_importing_the_same_layer_again_writes_nothing(town):
    data = collection(road([[121.01, 31.01], [121.02, 31.01]], "新渔东路"))
    import_basemap(data, town=town, kind="road", actor=None)
    report = import_basemap(data, town=town, kind="road", actor=None)
    assert (report.created, report.unchanged) == (0, 1)
    assert AuditEntry.objects.filter(action="grids.basemap.imported").count() == 1


def test_a_file_with_any_bad_feature_writes_nothing_and_names_each(town):
    import_basemap(collection(road([[121.01, 31.01], [121.02, 31.01]], "旧路")),
                   town=town, kind="road", actor=None)
    bow_tie = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[121.0, 31.0], [121.01, 31.01], [121.01, 31.0], [121.0, 31.01], [121.0, 31.0]]]}}
    with pytest.raises(ImportRefused) as refused:
        import_basemap(collection(
            road([[121.01, 31.01], [121.02, 31.01]], "好路"),
            building(121.0, 31.0),  # a polygon in the road layer
            road([[121.01, 91.0], [121.02, 31.01]]),
            road([[121.01, 31.0], [121.02, 31.0]], label_min_zoom=40),
            bow_tie,
        ), town=town, kind="road", actor=None)
    assert [(e.row, e.field, e.code) for e in refused.value.errors] == [
        (2, "geometry", "wrong_type"), (3, "geometry", "out_of_range"),
        (4, "label_min_zoom", "invalid"), (5, "geometry", "wrong_type")]
    with pytest.raises(ImportRefused) as refused:
        import_basemap(collection(bow_tie), town=town, kind="building", actor=None)
    assert refused.value.errors[0].code == "invalid_geometry"
    assert list(BaseMapFeature.objects.values_list("name", flat=True)) == ["旧路"]


def test_the_command_imports_a_layer_and_refuses_a_bad_file(town, tmp_path):
    good = tmp_path / "buildings.geojson"
    good.write_bytes(collection(building(121.0, 31.0), building(121.001, 31.0)))
    out = io.StringIO()
    call_command("import_basemap", str(good), "--town", str(town.pk), "--layer", "building",
                 stdout=out)
    assert "新增 2" in out.getvalue()
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(collection(road([[121.0, 31.0], [121.01, 31.0]])))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_basemap", str(bad), "--town", str(town.pk), "--layer", "building",
                     stderr=err)
    assert "第 1 行/要素 [geometry] wrong_type" in err.getvalue()
    assert BaseMapFeature.objects.count() == 2


def test_the_map_gets_what_is_drawn_at_its_zoom_inside_its_view(client, town):
    import_basemap(collection(road([[121.01, 31.01], [121.02, 31.01]], "淞虹路"),
                              road([[121.5, 31.5], [121.6, 31.5]], "远处的路")),
                   town=town, kind="road", actor=None)
    import_basemap(collection(building(121.011, 31.011), building(121.03, 31.03, size=0.001)),
                   town=town, kind="building", actor=None)

    far_out = view(client, zoom=13).json()
    assert [f["properties"]["name"] for f in far_out["features"]] == ["淞虹路"]
    assert "label_at" not in far_out["features"][0]["properties"]  # named from zoom 14

    # Buildings from zoom 17, large ones (here 10,000 m²) from 16.
    assert sorted(f["properties"]["kind"] for f in view(client, zoom=16).json()["features"]) == [
        "building", "road"]
    close_up = view(client, zoom=17).json()
    assert sorted(f["properties"]["kind"] for f in close_up["features"]) == [
        "building", "building", "road"]
    street = next(f for f in close_up["features"] if f["properties"]["kind"] == "road")
    assert street["properties"]["label_at"] == [121.015, 31.01]


def test_a_name_is_labelled_once_on_its_longest_piece_in_view(client, town):
    import_basemap(collection(road([[121.01, 31.01], [121.02, 31.01]], "新渔东路"),
                              road([[121.03, 31.01], [121.09, 31.01]], "新渔东路", min_zoom=13)),
                   town=town, kind="road", actor=None)
    features = view(client, zoom=15).json()["features"]
    assert [f["properties"]["label_at"] for f in features if "label_at" in f["properties"]] == [
        [121.06, 31.01]]
    # Half of the long piece in view: the label stays on what is shown.
    features = view(client, bbox="121.0,31.0,121.06,31.1", zoom=15).json()["features"]
    assert [f["properties"]["label_at"] for f in features if "label_at" in f["properties"]] == [
        [121.045, 31.01]]


def test_geometries_are_simplified_to_the_zoom(client, town):
    wiggle = [[121.01 + i * 0.0001, 31.01 + (i % 2) * 0.000001] for i in range(101)]
    import_basemap(collection(road(wiggle, "弯路")), town=town, kind="road", actor=None)
    coarse = view(client, zoom=12).json()["features"][0]["geometry"]["coordinates"]
    fine = view(client, zoom=19).json()["features"][0]["geometry"]["coordinates"]
    assert len(coarse) == 2 and len(fine) == 101


def test_a_response_is_bounded_and_says_so(client, town, monkeypatch):
    monkeypatch.setattr(basemap, "MAX_FEATURES", 3)
    import_basemap(collection(*(building(121.0 + i * 0.001, 31.0) for i in range(5))),
                   town=town, kind="building", actor=None)
    answer = view(client, zoom=17).json()
    assert len(answer["features"]) == 3 and answer["truncated"] is True


def test_the_endpoint_is_public_cacheable_and_refuses_bad_parameters(client, town):
    response = view(client)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    for params in ({"zoom": 15}, {"bbox": "a,b,c,d", "zoom": 15}, {"bbox": "121,31,122,32"},
                   {"bbox": "121,31,122,32", "zoom": "99"}, {"bbox": "121,31,122,32", "zoom": "x"}):
        refused = client.get(reverse("grids:basemap"), params)
        assert refused.status_code == 400, params
        assert refused.json()["errors"][0]["field"] in ("bbox", "zoom")
