"""The indicators dashboard (/indicators/), its Excel and CSV downloads, and its menu entry."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.cases.models import Case, State
from gridgov.cases.tests.factories import CaseFactory
from gridgov.core.models import AuditEntry
from gridgov.indicators import rollup
from gridgov.indicators.exports import cases_response

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("indicators:dashboard")
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def at(day, hour=10):
    return timezone.make_aware(dt.datetime(2025, 3, day, hour))


@pytest.fixture
def cases(world):
    """In March 2025: in community a, one case closed on time and one closed late; in community
    b, one still open past its deadline; in the other town, one more."""
    made = {
        "on_time": CaseFactory(grid=world.grid_a1, category=world.category, state=State.CLOSED,
                               department=world.enforcement, reported_at=at(2),
                               registered_at=at(3), due_at=at(10, 18), closed_at=at(8),
                               closed_on_time=True, handling_hours=12),
        "late": CaseFactory(grid=world.grid_a2, category=world.category, state=State.CLOSED,
                            department=world.enforcement, reported_at=at(2),
                            registered_at=at(3), due_at=at(10, 18), closed_at=at(12),
                            closed_on_time=False, handling_hours=40,
                            description="=HYPERLINK(\"http://example.invalid\")",
                            reporter_name="欧阳晓明", reporter_phone="13912345678"),
        "open": CaseFactory(grid=world.grid_b1, category=world.category, state=State.HANDLING,
                            department=world.market, reported_at=at(4), registered_at=at(4),
                            due_at=at(11, 18)),
        "elsewhere": CaseFactory(grid=world.other_grid, category=world.category,
                                 state=State.CLOSED, reported_at=at(5), registered_at=at(5),
                                 due_at=at(12, 18), closed_at=at(6), closed_on_time=True),
    }
    rollup.rebuild(now=timezone.make_aware(dt.datetime(2025, 4, 1)))
    return made


class TestAccess:
    def test_sign_in_first(self, client):
        response = client.get(DASHBOARD)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("name", ["handler", "grid_staff", "resident"])
    def test_other_roles_are_refused_everything(self, client, world, name):
        client.force_login(getattr(world, name))
        for url in (DASHBOARD, reverse("indicators:export_indicators"),
                    reverse("indicators:export_cases")):
            assert client.get(url).status_code == 403

    def test_the_menu_shows_it_to_leaders_only(self, client, world):
        client.force_login(world.leader)
        assert DASHBOARD in client.get(reverse("core:home")).content.decode()
        client.force_login(world.handler)
        assert DASHBOARD not in client.get(reverse("core:home")).content.decode()


class TestPage:
    def test_tiles_table_and_chart_data(self, client, world, cases):
        client.force_login(world.leader)
        response = client.get(DASHBOARD, {**MARCH, "grouping": "community"})
        assert response.status_code == 200
        total = response.context["total"]
        assert (total.counts["registered"], total.counts["due"], total.counts["closed"],
                total.counts["closed_on_time"], total.counts["overdue"]) == (3, 3, 2, 1, 2)
        assert str(total.rates["on_time_rate"]) == "33.33"
        assert {row.label: row.counts["due"] for row in response.context["groups"]} == {
            "示例甲居民区": 2, "示例乙居民区": 1}
        data = response.context["chart_data"]
        assert data["grids"][str(world.grid_a1.pk)]["on_time_rate"] == 100.0
        assert data["grids"][str(world.grid_b1.pk)]["on_time_rate"] == 0.0
        assert len(data["daily"]) == 31

    def test_everything_is_served_by_the_platform(self, client, world, cases):
        client.force_login(world.leader)
        html = client.get(DASHBOARD, MARCH).content.decode()
        assert "/static/echarts/echarts.common.min.js" in html and "/static/leaflet/leaflet.js" in html
        assert "plotly" not in html
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html)

    def test_echarts_is_installed_from_the_registry_and_served_by_the_platform(self):
        """make assets puts the pinned ECharts into assets/static (git-ignored); run it when
        this fails."""
        from django.contrib.staticfiles import finders

        found = finders.find("echarts/echarts.common.min.js")
        assert found, "ECharts is missing: run `make assets`"
        with open(found, encoding="utf-8") as script:
            assert "还原" in script.read()  # its Chinese locale is built in

    def test_a_missing_echarts_is_a_system_check_warning(self, settings):
        from gridgov.indicators.checks import echarts_installed

        assert echarts_installed() == []
        settings.STATICFILES_DIRS = settings.STATICFILES_DIRS[:1]  # Leaflet only
        [warning] = echarts_installed()
        assert warning.id == "gridgov.indicators.W001" and "make assets" in warning.hint

    def test_the_default_period_is_the_last_30_days(self, client, world, cases):
        client.force_login(world.leader)
        response = client.get(DASHBOARD)
        period = response.context["period"]
        assert period.end == timezone.localdate() and period.days == 30
        html = response.content.decode()
        assert "最近30天" in html
        # The date fields show the period the figures are for.
        assert f'name="start" value="{period.start.isoformat()}"' in html

    def test_an_empty_period_explains_itself_and_draws_no_chart(self, client, world, cases):
        client.force_login(world.leader)
        response = client.get(DASHBOARD, {"start": "2025-06-01", "end": "2025-06-30"})
        html = response.content.decode()
        assert response.status_code == 200 and response.context["is_empty"]
        assert "这段时间没有可统计的事件" in html and "2025年6月1日至2025年6月30日" in html
        assert 'id="chart-groups"' not in html and "echarts" not in html

    def test_before_the_first_count_the_page_says_how_it_comes(self, client, world):
        client.force_login(world.leader)
        html = client.get(DASHBOARD).content.decode()
        assert "统计数据尚未生成" in html and "cases_rollup --rebuild" in html

    def test_dates_are_written_the_chinese_way(self, client, world, cases):
        client.force_login(world.leader)
        html = client.get(DASHBOARD, MARCH).content.decode()
        assert "统计期间 2025年3月1日 至 2025年3月31日" in html
        assert '开始日期：</label>' in html  # the full-width colon

    def test_a_community_operator_sees_its_community(self, client, world, cases):
        client.force_login(world.operator_b)
        response = client.get(DASHBOARD, MARCH)
        assert response.context["total"].counts["due"] == 1
        assert [c.name for c in response.context["form"].fields["community"].queryset] == [
            "示例乙居民区"]

    def test_a_bad_period_is_explained(self, client, world):
        client.force_login(world.leader)
        response = client.get(DASHBOARD, {"start": "2025-03-31", "end": "2025-03-01"})
        assert response.status_code == 400
        assert "开始日期不能晚于结束日期" in response.content.decode()

    @pytest.mark.parametrize("extra", [0, 30])
    def test_queries_do_not_grow_with_cases_or_grids(self, client, world, cases, extra,
                                                     django_assert_max_num_queries):
        CaseFactory.create_batch(extra, category=world.category, community=world.community_a,
                                 registered_at=at(5), due_at=at(9, 18), state=State.REGISTERED)
        rollup.refresh(now=timezone.make_aware(dt.datetime(2025, 4, 1, 1)))
        client.force_login(world.leader)
        with django_assert_max_num_queries(16):
            client.get(DASHBOARD, MARCH)


class TestExports:
    def test_the_workbook_has_a_sheet_per_grouping(self, client, world, cases):
        client.force_login(world.leader)
        response = client.get(reverse("indicators:export_indicators"), MARCH)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert book.sheetnames == ["合计", "居民区", "网格", "处置部门", "事部件分类"]
        total = book["合计"]
        header = [cell.value for cell in total[2]]
        values = dict(zip(header, [cell.value for cell in total[3]]))
        assert (values["立案数"], values["应结案数"], values["结案数"], values["按期结案率(%)"]) == (
            3, 3, 2, 33.33)
        assert values["平均处置用时（工作小时）"] == 26.0

    def test_the_csv_streams_the_scope_with_a_bom_and_no_personal_data(self, client, world, cases):
        client.force_login(world.leader)
        response = client.get(reverse("indicators:export_cases"), MARCH)
        assert response.streaming
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff编号,")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert {row["编号"] for row in rows} == {cases[n].number for n in ("on_time", "late", "open")}
        assert "13912345678" not in text and "欧阳" not in text
        late = next(row for row in rows if row["编号"] == cases["late"].number)
        assert late["问题描述"].startswith("'=")  # not run as a formula by the spreadsheet
        assert (late["状态"], late["按期结案"], late["网格"]) == ("已结案", "否", world.grid_a2.name)
        assert AuditEntry.objects.filter(action="cases.case.exported", actor=world.leader).exists()

    @pytest.mark.parametrize("name", ["=1+1 执法队", "＝1+1 执法队", "\t=1+1 执法队", "@SUM(A1)"])
    def test_no_export_stores_a_name_as_a_formula(self, client, world, cases, name):
        """A department named like a formula (issue 9, finding 7) is text in the workbook and
        in the CSV."""
        world.enforcement.name = name
        world.enforcement.save()
        client.force_login(world.leader)
        response = client.get(reverse("indicators:export_indicators"), MARCH)
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        [cell] = [row[0] for row in book["处置部门"].iter_rows(min_row=3) if row[0].value == name]
        assert cell.data_type == "s" and cell.quotePrefix
        response = client.get(reverse("indicators:export_cases"), MARCH)
        rows = list(csv.DictReader(io.StringIO(
            b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
        assert {row["处置部门"] for row in rows} >= {"'" + name}

    def test_rows_are_produced_as_they_are_read(self, world, django_assert_num_queries):
        CaseFactory.create_batch(3, grid=world.grid_a1, category=world.category)
        lines = iter(cases_response(Case.objects.all()).streaming_content)
        with django_assert_num_queries(0):
            # nothing read yet: the response starts before the query
            head = next(lines) + next(lines)
        with django_assert_num_queries(1):
            body = list(lines)
        assert head.startswith("\ufeff编号,".encode()) and len(body) == 3
