import io

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.core.models import AuditEntry
from gridgov.grids.io.errors import ImportRefused
from gridgov.core import tabular
from gridgov.grids.io.export import places_sheet
from gridgov.grids.io.place_import import import_places
from gridgov.grids.models import Place
from gridgov.grids.tests.factories import GridFactory, PlaceFactory, TownFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    return GridFactory(boundary=square(121.0, 31.0, 0.01))


def csv_bytes(*lines, encoding="utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refusal(data, town, filename="places.csv") -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_places(data, town=town, actor=None, filename=filename)
    return caught.value


def test_a_csv_with_chinese_headers_creates_places_in_their_grids(grid):
    data = csv_bytes("名称,类型,地址,经度,纬度",
                     "天山大楼,楼宇,天山路1号,121.005,31.005",
                     "淞虹路站,metro,,121.01,31.002",
                     "远处,商铺,,121.5,31.5")
    report = import_places(data, town=grid.town, actor=None, filename="places.csv")
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    assert report.counts == {"inside": 2, "border": 0, "outside": 1, "outside_rows": [4]}
    building = Place.objects.get(name="天山大楼")
    assert (building.kind, building.grid, building.address) == ("building", grid, "天山路1号")
    # On the grid's outer edge, no neighbour: still that grid.
    assert Place.objects.get(name="淞虹路站").grid == grid
    assert Place.objects.get(name="远处").grid is None
    entry = AuditEntry.objects.get(action="grids.place.imported")
    assert entry.changes["created"] == 3 and entry.changes["file"] == "places.csv"


def test_english_headers_in_any_order_and_gbk_encoding_are_read(grid):
    data = csv_bytes("latitude,longitude,name,type,备注", "31.005,121.005,虹桥菜场,市场,随便", encoding="gb18030")
    import_places(data, town=grid.town, actor=None)
    assert Place.objects.get().kind == "market"


def test_an_xlsx_file_is_read(grid):
    data = xlsx_bytes(("名称", "类型", "地址", "经度", "纬度"), ("天山公园", "公园/绿地", None, 121.003, 31.004),
                      (None, None, None, None, None))
    report = import_places(data, town=grid.town, actor=None, filename="地点.xlsx")
    assert report.created == 1
    assert Place.objects.get().grid == grid


def test_a_known_place_is_updated_not_duplicated(grid):
    place = PlaceFactory(grid=grid, name="天山大楼", kind="building", address="旧地址")
    data = csv_bytes("名称,类型,地址,经度,纬度",
                     f"天山大楼,楼宇,新地址,{place.longitude},{place.latitude}",
                     f"天山大楼,商铺,天山路2号,{place.longitude},{place.latitude}")
    report = import_places(data, town=grid.town, actor=None)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    place.refresh_from_db()
    assert place.address == "新地址"
    assert import_places(data, town=grid.town, actor=None).unchanged == 2


def test_every_bad_row_is_reported_and_nothing_is_written(grid):
    data = csv_bytes("名称,类型,地址,经度,纬度",
                     "好的,楼宇,,121.005,31.005",
                     "未知类型,飞船,,121.005,31.005",
                     "经度超限,楼宇,,181,31.005",
                     "纬度不是数,楼宇,,121.005,北纬31",
                     ",楼宇,,121.005,31.005",
                     "好的,楼宇,,121.006,31.006")
    error = refusal(data, grid.town)
    assert [(e.row, e.field, e.code) for e in error.errors] == [
        (3, "类型", "unknown_kind"),
        (4, "经度", "out_of_range"),
        (5, "纬度", "not_number"),
        (6, "名称", "required"),
        (7, "名称", "duplicate"),
    ]
    assert "第 2 行" in error.errors[-1].message
    assert not Place.objects.exists()
    assert not AuditEntry.objects.filter(action="grids.place.imported").exists()


@pytest.mark.parametrize("data, filename, code", [
    (b"name,kind\nx,shop\n", "p.csv", "missing_column"),
    (b"", "p.csv", "empty"),
    ("名称,类型,地址,经度,纬度\n".encode(), "p.csv", "empty"),
    (b"\xd0\xcf\x11\xe0rest", "p.xls", "old_excel"),
    (b"not a zip", "p.xlsx", "bad_file"),
    (b"PK\x03\x04broken", "p.xlsx", "bad_file"),
])
def test_an_unusable_file_is_refused(data, filename, code):
    error = refusal(data, TownFactory(), filename)
    assert [e.code for e in error.errors] == [code]


def test_csv_export_streams_rows_that_read_back(grid):
    PlaceFactory(grid=grid, name="=HYPERLINK(1)", kind="shop", address="－1号")
    PlaceFactory(grid=grid, name="天山大楼")
    chunks = list(tabular.csv_lines(places_sheet(Place.objects.all())))
    assert chunks[0] == "\ufeff" and chunks[1].startswith("名称,类型,地址,经度,纬度,网格编号")
    assert len(chunks) == 4
    assert chunks[2].startswith("'=HYPERLINK(1),商铺,'－1号,")  # full-width minus too
    report = import_places("".join(chunks).encode(), town=grid.town, actor=None)
    assert report.unchanged == 2


def test_xlsx_export_writes_text_not_formulas(grid):
    PlaceFactory(grid=grid, name="=1+1", kind="shop")
    buffer = io.BytesIO()
    tabular.write_xlsx([places_sheet(Place.objects.all())], buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("名称", "类型", "地址", "经度", "纬度")
    assert rows[1][0] == "=1+1" and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert rows[1][5] == grid.number
    assert import_places(buffer.getvalue(), town=grid.town, actor=None,
                         filename="x.xlsx").unchanged == 1
