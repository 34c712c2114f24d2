"""The address register: import from Excel (all or nothing, errors by row), search as typed in
Chinese, the nearest address to a point, and the public API the report form uses."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gridgov.core.models import AuditEntry
from gridgov.grids import addresses
from gridgov.grids.io.address_import import import_addresses
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.models import Address, AddressRoad
from gridgov.grids.tests.factories import TownFactory

pytestmark = pytest.mark.django_db

HEADER = ("路名", "门牌号", "小区", "楼栋", "经度", "纬度")
ROWS = [
    ("新渔东路", "88号", "", "", 121.3601, 31.2101),
    ("新渔东路", "8号", "", "", 121.3590, 31.2101),
    ("新渔东路", "100弄", "泾华苑", "3号楼", 121.3620, 31.2103),
    ("新渔东路", "880", "", "", 121.3700, 31.2101),
    ("淞虹路", "88号", "", "", 121.3597, 31.2190),
    ("天山西路", "１２号", "", "", 121.3500, 31.2160),  # full-width digits, as typed in Excel
]


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def town():
    return TownFactory()


@pytest.fixture
def register(town):
    import_addresses(workbook(HEADER, *ROWS), town=town, actor=None, filename="地址.xlsx")
    return town


def labels(found):
    return [address.label for address in found]


def test_the_register_is_imported_from_excel(register):
    assert Address.objects.count() == 6
    assert set(AddressRoad.objects.values_list("name", flat=True)) == {"新渔东路", "淞虹路", "天山西路"}
    assert Address.objects.get(number=100).label == "新渔东路100弄 泾华苑 3号楼"
    assert Address.objects.get(number=12).number_suffix == "号"
    assert AuditEntry.objects.get(action="grids.address.imported").changes["addresses"] == 6


def test_a_new_file_replaces_the_register_and_the_same_file_writes_nothing(register):
    data = workbook(HEADER, ("北翟路", "1号", "", "", 121.34, 31.22))
    import_addresses(data, town=register, actor=None)
    assert labels(Address.objects.select_related("road")) == ["北翟路1号"]
    report = import_addresses(data, town=register, actor=None)
    assert report.unchanged == 1
    assert AuditEntry.objects.filter(action="grids.address.imported").count() == 2


def test_a_file_with_bad_rows_writes_nothing_and_names_each_row(register):
    data = workbook(HEADER, ("新渔东路", "88号", "", "", 121.36, 31.21),
                    ("", "5号", "", "", 121.36, 31.21),
                    ("新渔东路", "八十八号", "", "", 121.36, 31.21),
                    ("新渔东路", "9号", "", "", "东经121", 31.21),
                    ("新渔东路", "88号", "", "", 121.37, 31.22))
    with pytest.raises(ImportRefused) as refused:
        import_addresses(data, town=register, actor=None)
    assert [(e.row, e.field, e.code) for e in refused.value.errors] == [
        (3, "路名", "required"), (4, "门牌号", "invalid"), (5, "经度", "not_number"),
        (6, "门牌号", "duplicate")]
    assert Address.objects.count() == 6


def test_a_missing_column_is_named(town):
    with pytest.raises(ImportRefused, match="门牌号"):
        import_addresses(workbook(("路名", "经度", "纬度"), ("新渔东路", 121.36, 31.21)),
                         town=town, actor=None)


@pytest.mark.parametrize(("typed", "expected"), [
    ("新渔东路 88号", ["新渔东路88号"]),
    ("新渔东路88", ["新渔东路88号", "新渔东路880号"]),  # still typing: 88 first, then 880...
    ("新渔东路８８号", ["新渔东路88号"]),  # full-width digits from a phone keyboard
    ("新渔 8", ["新渔东路8号", "新渔东路88号", "新渔东路880号"]),  # numbers as they are typed
    ("渔东", ["新渔东路8号", "新渔东路88号", "新渔东路100弄 泾华苑 3号楼", "新渔东路880号"]),
    ("淞虹", ["淞虹路88号"]),  # a two-character word finds its road
    ("88号", []),  # no road: too broad to answer
    ("北翟路", []),
    ("", []),
])
def test_search_finds_what_is_typed(register, typed, expected):
    assert labels(addresses.search(typed)) == expected


def test_search_is_bounded(register):
    assert len(addresses.search("路", limit=2)) == 2


def test_a_point_is_described_by_its_nearest_address(register):
    found, distance = addresses.nearest(121.36015, 31.2101)
    assert found.label == "新渔东路88号" and distance < 10
    assert addresses.nearest(121.30, 31.10) is None  # nothing within reach


def test_the_api_searches_and_describes_points_for_anyone(client, register):
    answer = client.get("/api/grids/addresses", {"q": "新渔东路 88号"})
    assert answer.status_code == 200
    assert [(a["label"], a["longitude"], a["latitude"]) for a in answer.json()] == [
        ("新渔东路88号", 121.3601, 31.2101)]
    nearest = client.get("/api/grids/addresses/nearest", {"lon": 121.3597, "lat": 31.2191}).json()
    assert nearest["address"]["label"] == "淞虹路88号" and nearest["distance_m"] < 15
    assert client.get("/api/grids/addresses/nearest", {"lon": 0, "lat": 0}).json() == {
        "address": None, "distance_m": None}


def test_the_api_refuses_bad_input_with_structured_errors(client, register):
    for path, params in (("/api/grids/addresses", {}),
                         ("/api/grids/addresses", {"q": "路" * 51}),
                         ("/api/grids/addresses/nearest", {"lon": 200, "lat": 31}),
                         ("/api/grids/addresses/nearest", {"lon": "x", "lat": 31})):
        response = client.get(path, params)
        assert response.status_code in (400, 422), (path, params)
        assert response.json()["errors"][0]["code"], (path, params)


def test_the_command_imports_and_refuses_with_rows(town, tmp_path):
    good = tmp_path / "addresses.xlsx"
    good.write_bytes(workbook(HEADER, *ROWS))
    out = io.StringIO()
    call_command("import_addresses", str(good), "--town", str(town.pk), stdout=out)
    assert "新增 6" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(HEADER, ("新渔东路", "甲号", "", "", 121.36, 31.21)))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_addresses", str(bad), "--town", str(town.pk), stderr=err)
    assert "第 2 行/要素 [门牌号] invalid" in err.getvalue()
    assert Address.objects.count() == 6
