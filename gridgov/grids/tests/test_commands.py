import io
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.core.models import AuditEntry
from gridgov.grids.models import Grid, Place

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_grids_go_out_and_back_in_through_the_commands(town, users, tmp_path):
    target = tmp_path / "grids.geojson"
    run("export_grids", "--town", "310105020", "-o", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["features"]) == 3
    data["features"][0]["properties"]["name"] = "改名网格"
    target.write_text(json.dumps(data), encoding="utf-8")
    out, _ = run("import_grids", str(target), "--town", str(town.town.pk),
                 "--actor", users.admin.phone)
    assert "更新 1" in out and "未变 2" in out
    assert Grid.objects.get(pk=town.a.pk).name == "改名网格"
    assert AuditEntry.objects.get(action="grids.grid.imported").actor == users.admin


def test_export_grids_to_standard_output(town):
    out, _ = run("export_grids", "--town", "新泾镇")
    assert json.loads(out)["features"][2]["properties"]["community"] == "新渔东路居民区"


def test_a_refused_import_prints_each_error_and_fails(town, tmp_path):
    target = tmp_path / "bad.geojson"
    target.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_grids", str(target), "--town", "新泾镇", stderr=err, stdout=io.StringIO())
    assert "第 1 行/要素 [properties] missing" in err.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_places_go_out_and_back_in_through_the_commands(town, tmp_path, fmt):
    target = tmp_path / f"places.{fmt}"
    run("export_places", "--town", "新泾镇", "-o", str(target))
    Place.objects.filter(pk=town.places[1].pk).update(address="旧址")
    out, _ = run("import_places", str(target), "--town", "新泾镇")
    assert "更新 1" in out and "未变 2" in out
    assert Place.objects.get(pk=town.places[1].pk).address == "天山路1号"


def test_an_unknown_town_or_actor_is_a_clear_error(town, tmp_path):
    with pytest.raises(CommandError, match="找不到唯一的镇/街道"):
        run("export_grids", "--town", "火星镇")
    with pytest.raises(CommandError, match="找不到手机号"):
        run("export_grids", "--town", "新泾镇", "--actor", "13800000000")
    with pytest.raises(CommandError, match=".csv 或 .xlsx"):
        run("export_places", "--town", "新泾镇", "-o", str(tmp_path / "x.pdf"))
