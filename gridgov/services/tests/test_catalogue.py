"""The catalogue: the sample package, the all-or-nothing Excel import, the export that imports
back unchanged, Chinese search (two-character words), the public page."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gridgov.accounts.roles import Role
from gridgov.core.models import AuditEntry
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.tests.factories import staff
from gridgov.services import catalogue_io, sample_catalogue
from gridgov.services.models import Aspect, ServiceCategory, ServiceItem

pytestmark = pytest.mark.django_db


def workbook(rows, header=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header or list(catalogue_io.HEADERS.values()))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(code="N001", name=None, aspect="楼宇服务", category="企业开办",
        department=sample_catalogue.BUSINESS, days=3, targets="楼宇企业", partner=""):
    values = {"aspect": aspect, "category": category, "code": code,
              "name": f"新项目{code}" if name is None else name,
              "description": "说明", "department": department, "partner": partner,
              "targets": targets, "response_days": days}
    return [values.get(field, "") for field in catalogue_io.HEADERS]


def snapshot(town):
    return sorted(ServiceItem.objects.filter(town=town).values_list(
        "code", "name", "is_active", "category__name", "response_days"))


def test_the_sample_package_has_the_five_real_aspects_28_categories_and_76_items(world):
    assert list(Aspect.objects.filter(town=world.town).values_list("name", flat=True)) == list(
        sample_catalogue.ASPECTS)
    assert ServiceCategory.objects.filter(aspect__town=world.town).count() == 28
    items = ServiceItem.objects.filter(town=world.town)
    assert items.count() == 76
    assert not items.filter(is_sample=False).exists()


def test_an_import_with_errors_writes_nothing_and_reports_every_row(world):
    before = snapshot(world.town)
    audits = AuditEntry.objects.count()
    data = workbook([
        row(code="N001"),
        row(code="N001", name="另一个"),                        # duplicate code (row 3)
        row(code="N003", department="不存在的科室"),              # unknown department (row 4)
        row(code="N004", days=0),                                # out of range (row 5)
        row(code="N005", name=""),                               # missing name (row 6)
        row(code="N006", targets="外星人"),                        # unknown target group (row 7)
    ])
    with pytest.raises(ImportRefused) as refused:
        catalogue_io.import_catalogue(data, town=world.town, actor=world.admin,
                                      filename="x.xlsx")
    found = {(e.row, e.code) for e in refused.value.errors}
    assert found == {(3, "duplicate"), (4, "unknown_department"), (5, "out_of_range"),
                     (6, "required"), (7, "unknown_target")}
    assert snapshot(world.town) == before
    assert AuditEntry.objects.count() == audits


def test_a_file_without_the_required_columns_is_refused(world):
    with pytest.raises(ImportRefused) as refused:
        catalogue_io.import_catalogue(workbook([["x"]], header=["名称"]), town=world.town,
                                      actor=world.admin, filename="x.xlsx")
    assert refused.value.code == "missing_column"
    assert ServiceItem.objects.filter(town=world.town).count() == 76


def test_an_accepted_import_replaces_the_catalogue_keeping_items_in_use_switched_off(world):
    used = world.apply()
    report = catalogue_io.import_catalogue(
        workbook([row(code="N001", name="企业开办一件事"),
                  row(code="N002", name="共享会议室", aspect="“最虹桥”党建联建平台服务",
                      category="资源共享", department="", partner="示例共建单位",
                      targets="楼宇企业、街区商户")]),
        town=world.town, actor=world.admin, filename="town.xlsx")
    assert report.created == 2
    items = ServiceItem.objects.filter(town=world.town)
    assert set(items.filter(is_active=True).values_list("name", flat=True)) == {
        "企业开办一件事", "共享会议室"}
    kept = items.get(pk=used.item_id)
    assert not kept.is_active  # an application names it: switched off, not deleted
    assert items.count() == 3
    assert items.get(code="N002").target_groups == "building,shops"
    # Empty categories and aspects are gone; the other town's catalogue is untouched.
    assert set(Aspect.objects.filter(town=world.town).values_list("name", flat=True)) == {
        "楼宇服务", "街区服务", "“最虹桥”党建联建平台服务"}
    assert ServiceItem.objects.filter(town=world.other_town).count() == 76
    assert AuditEntry.objects.filter(action="services.catalogue.imported").exists()


def test_the_export_imports_back_unchanged(world):
    from gridgov.core import tabular

    out = io.BytesIO()
    tabular.write_xlsx([catalogue_io.catalogue_sheet(world.town)], out)
    before = snapshot(world.town)
    report = catalogue_io.import_catalogue(out.getvalue(), town=world.town, actor=world.admin,
                                           filename="export.xlsx")
    assert (report.unchanged, report.created, report.updated) == (76, 0, 0)
    assert snapshot(world.town) == before


@pytest.mark.parametrize("query, expected", [
    ("骑手", {"骑手驿站休息", "外卖骑手健康体检"}),
    ("外卖", {"外卖骑手健康体检"}),
    ("充电", {"电动车充电换电点", "电动自行车充电安全检查"}),
    ("驿站 休息", {"骑手驿站休息"}),             # every term must match
    ("换电", {"电动车充电换电点"}),               # inside a word
    ("火箭", set()),
])
def test_chinese_search_finds_two_character_words_inside_the_text(world, query, expected):
    found = set(ServiceItem.objects.filter(town=world.town).search(query)
                .values_list("name", flat=True))
    assert expected <= found
    if not expected:
        assert found == set()


def test_search_puts_items_named_by_the_terms_first(world):
    names = list(ServiceItem.objects.filter(town=world.town).search("骑手")
                 .values_list("name", flat=True))
    assert names[:2] == ["骑手驿站休息", "外卖骑手健康体检"]


def test_the_public_catalogue_page_searches_and_filters_without_signing_in(client, world):
    response = client.get(reverse("services:catalogue"), {"q": "充电", "town": world.town.pk})
    assert response.status_code == 200
    assert "电动车充电换电点" in response.content.decode()
    assert "骑手驿站休息" not in response.content.decode()
    shops = client.get(reverse("services:catalogue"), {"for": "shops", "town": world.town.pk})
    assert "食品经营许可指导" in shops.content.decode()
    assert "高新企业认定辅导" not in shops.content.decode()


@pytest.mark.parametrize("params", [{"page": "abc"}, {"aspect": "x"}, {"town": "-1"},
                                    {"for": "<script>"}, {"page": "99999"}])
def test_the_public_page_parses_every_parameter(client, world, params):
    assert client.get(reverse("services:catalogue"), params).status_code == 200


def test_a_search_longer_than_any_parameter_may_be_is_refused_in_chinese(client, world):
    response = client.get(reverse("services:catalogue"), {"q": "骑" * 5000})
    assert response.status_code == 400
    assert "过长" in response.content.decode()


def test_import_and_export_pages_are_refused_to_residents_handlers_and_other_towns(client, world):
    url = reverse("services:catalogue_import")
    for user in (world.rider, world.handler, world.operator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("services:catalogue_export")).status_code == 403
    other_admin = staff(Role.ADMIN, world.other_town)
    client.force_login(other_admin)
    assert client.get(url, {"town": world.town.pk}).status_code == 403
    assert client.get(reverse("services:catalogue_export"),
                      {"town": world.town.pk}).status_code == 403
    assert client.get(url).context["town"] == world.other_town


def test_the_import_page_lists_errors_by_row_and_writes_nothing(client, world):
    client.force_login(world.party_affairs)
    before = snapshot(world.town)
    upload = io.BytesIO(workbook([row(code="N1", days="三天")]))
    upload.name = "bad.xlsx"
    response = client.post(reverse("services:catalogue_import"), {"file": upload})
    assert response.status_code == 400
    assert "第2行" in response.content.decode()
    assert snapshot(world.town) == before


def test_the_export_is_an_excel_file_of_the_town(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("services:catalogue_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "方面" and len(rows) == 77
