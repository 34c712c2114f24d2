"""Open311 GeoReport v2 (/open311/v2/): services, requests and errors in JSON and in XML."""

import datetime as dt
import json
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from gridgov.cases.models import Case, Source, State
from gridgov.open311 import keys
from gridgov.open311.models import Open311Key
from gridgov.open311.views import jurisdiction_of
from gridgov.cases.tests.factories import CaseFactory, CategoryFactory
from gridgov.grids.tests.factories import UserFactory, centre

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def spec_error(response, fmt, status):
    """The single error of a refusal, as (code, description), in either format."""
    assert response.status_code == status, response.content
    body = parse(response, fmt)
    if fmt == "json":
        [error] = body
        assert set(error) == {"code", "description"}
        return error["code"], error["description"]
    assert body.tag == "errors"
    [error] = body.findall("error")
    return int(error.findtext("code")), error.findtext("description")


@pytest.fixture
def key(world):
    key = Open311Key(town=world.town, name="示例12345平台")
    return keys.issue_key(key, actor=None)


@pytest.fixture
def jid(world):
    return jurisdiction_of(world.town)


def new_request(world, key, jid, **extra):
    lon, lat = centre(world.grid_a1.boundary)
    return {"api_key": key, "jurisdiction_id": jid, "service_code": world.category.code,
            "lat": lat, "long": lon, "address_string": "示例路12号3室",
            "description": "路口有人占道摆摊，联系电话13912345678", "first_name": "晓明",
            "last_name": "欧阳", "phone": "13912345678", **extra}


@pytest.mark.parametrize("fmt", ["json", "xml"])
class TestServices:
    def test_the_catalogue_as_services(self, client, world, jid, fmt):
        CategoryFactory(kind="component", major_code="01", minor_code="01", name="井盖",
                        major_name="公用设施", keywords="井盖,窨井")
        body = parse(client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": jid}), fmt)
        if fmt == "json":
            services = {s["service_code"]: s for s in body}
        else:
            assert body.tag == "services"
            services = {s.findtext("service_code"): {c.tag: c.text for c in s}
                        for s in body.findall("service")}
        manhole = services["B0101"]
        assert (manhole["service_name"], manhole["group"], manhole["type"]) == (
            "井盖", "公用设施", "realtime")
        assert manhole["metadata"] in (False, "false")
        assert set(services) == {"B0101", "S0501"}

    def test_a_service_definition(self, client, world, jid, fmt):
        body = parse(client.get(f"{BASE}services/S0501.{fmt}", {"jurisdiction_id": jid}), fmt)
        code = body["service_code"] if fmt == "json" else body.findtext("service_code")
        assert code == "S0501"
        assert spec_error(client.get(f"{BASE}services/S9999.{fmt}", {"jurisdiction_id": jid}),
                          fmt, 404)[0] == 404

    def test_jurisdiction_is_required_with_several_towns_and_must_exist(self, client, world, fmt):
        assert spec_error(client.get(f"{BASE}services.{fmt}"), fmt, 400)[0] == 400
        assert spec_error(client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "999999999"}),
                          fmt, 404)[0] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
class TestCreate:
    def test_a_request_becomes_a_case_in_its_grid(self, client, world, key, jid, fmt):
        response = client.post(f"{BASE}requests.{fmt}", new_request(world, key, jid))
        assert response.status_code == 201
        body = parse(response, fmt)
        number = body[0]["service_request_id"] if fmt == "json" else body.find(
            "request").findtext("service_request_id")
        case = Case.objects.get(number=number)
        assert (case.source, case.state, case.grid, case.category) == (
            Source.OPEN311, State.REPORTED, world.grid_a1, world.category)
        assert (case.reporter_name, case.reporter_phone, case.reporter) == (
            "欧阳晓明", "13912345678", None)
        assert Open311Key.objects.get().last_used_at is not None

    def test_refusals(self, client, world, key, jid, fmt):
        url = f"{BASE}requests.{fmt}"
        assert spec_error(client.post(url, new_request(world, "", jid)), fmt, 403)[0] == 403
        assert spec_error(client.post(url, new_request(world, "wrong", jid)), fmt, 403)[0] == 403
        other = jurisdiction_of(world.other_town)
        assert spec_error(client.post(url, new_request(world, key, other)), fmt, 403)[0] == 403
        for bad in ({"service_code": "S9999"}, {"service_code": ""}, {"lat": ""},
                    {"description": ""}, {"phone": "12345"}):
            code, description = spec_error(client.post(url, new_request(world, key, jid, **bad)),
                                           fmt, 400)
            assert code == 400 and description
        Open311Key.objects.update(is_active=False)
        assert spec_error(client.post(url, new_request(world, key, jid)), fmt, 403)[0] == 403
        assert not Case.objects.exists()


def test_a_key_is_kept_only_as_its_hash(world, key):
    stored = Open311Key.objects.get()
    assert key not in (stored.key_hash, stored.prefix + stored.key_hash)
    assert stored.key_hash == keys.digest(key) and stored.prefix == key[:8]
    assert keys.authenticate(key) == stored and keys.authenticate(key + "x") is None


def test_the_admin_shows_a_new_key_once(client, world):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post("/admin/open311/open311key/add/",
                           {"town": world.town.pk, "name": "示例城市App"}, follow=True)
    [message] = [str(m) for m in response.context["messages"] if "只显示这一次" in str(m)]
    secret = message.rsplit("：", 1)[1]
    assert keys.authenticate(secret) == Open311Key.objects.get(name="示例城市App")
    assert secret not in client.get("/admin/open311/open311key/").content.decode()


def _requests(response, fmt) -> list[dict]:
    body = parse(response, fmt)
    if fmt == "json":
        return body
    assert body.tag == "service_requests"
    return [{c.tag: c.text for c in r} for r in body.findall("request")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
class TestList:
    def test_the_towns_requests_without_personal_data(self, client, world, key, jid, fmt):
        client.post(f"{BASE}requests.json", new_request(world, key, jid))
        CaseFactory(grid=world.other_grid, category=world.category)
        [row] = _requests(client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": jid}), fmt)
        assert row["status"] == "open" and row["service_code"] == "S0501"
        assert row["address"] == "示例路*号*室"
        assert "13912345678" not in str(row) and "欧阳" not in str(row)
        assert row["description"] == "路口有人占道摆摊，联系电话***"
        assert row["requested_datetime"].endswith("+08:00")

    def test_numbers_typed_with_separators_are_hidden_too(self, client, world, jid, fmt):
        CaseFactory(grid=world.grid_a1, category=world.category,
                    description="联系 138-1234-5678 或 138 1234 5678，座机(021)6234 5678")
        [row] = _requests(client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": jid}), fmt)
        assert row["description"] == "联系 *** 或 ***，座机***"

    def test_filters(self, client, world, jid, fmt):
        now = timezone.now()
        open_case = CaseFactory(grid=world.grid_a1, category=world.category,
                                state=State.HANDLING, reported_at=now - dt.timedelta(days=1))
        closed = CaseFactory(grid=world.grid_a1, category=world.category, state=State.CLOSED,
                             reported_at=now - dt.timedelta(days=2))
        old = CaseFactory(grid=world.grid_a1, category=world.category,
                          reported_at=now - dt.timedelta(days=100))
        other_category = CaseFactory(grid=world.grid_b1, reported_at=now - dt.timedelta(hours=1))

        def ids(**params):
            response = client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": jid, **params})
            return {row["service_request_id"] for row in _requests(response, fmt)}

        assert ids() == {open_case.number, closed.number, other_category.number}
        assert ids(status="open") == {open_case.number, other_category.number}
        assert ids(status="closed") == {closed.number}
        assert ids(service_code="S0501") == {open_case.number, closed.number}
        assert ids(service_request_id=f"{old.number},{closed.number}") == {old.number, closed.number}
        start = (now - dt.timedelta(days=120)).isoformat()
        end = (now - dt.timedelta(days=60)).isoformat()
        assert ids(start_date=start, end_date=end) == {old.number}

    def test_refusals(self, client, world, jid, fmt):
        url = f"{BASE}requests.{fmt}"
        assert spec_error(client.get(url, {"jurisdiction_id": jid, "status": "pending"}), fmt,
                          400)[0] == 400
        assert spec_error(client.get(url, {"jurisdiction_id": jid, "start_date": "yesterday"}),
                          fmt, 400)[0] == 400
        assert spec_error(client.get(url, {"jurisdiction_id": jid, "start_date": "2025-01-01",
                                           "end_date": "2025-06-01"}), fmt, 400)[0] == 400
        assert spec_error(client.get(f"{BASE}requests/XJ0.{fmt}", {"jurisdiction_id": jid}), fmt,
                          404)[0] == 404

    def test_one_request(self, client, world, jid, fmt):
        case = CaseFactory(grid=world.grid_a1, category=world.category, state=State.REJECTED)
        [row] = _requests(client.get(f"{BASE}requests/{case.number}.{fmt}",
                                     {"jurisdiction_id": jid}), fmt)
        assert (row["service_request_id"], row["status"], row["status_notes"]) == (
            case.number, "closed", "不予立案")

    def test_moments_in_the_towns_time_to_the_second(self, client, world, jid, fmt):
        utc = dt.timezone.utc
        reported = dt.datetime(2026, 3, 1, 17, 30, 5, 987654, tzinfo=utc)  # 01:30:05 next day
        case = CaseFactory(grid=world.grid_a1, category=world.category, reported_at=reported,
                           due_at=None)
        Case.objects.filter(pk=case.pk).update(
            updated_at=dt.datetime(2026, 3, 2, 0, 0, tzinfo=utc))
        [row] = _requests(client.get(f"{BASE}requests.{fmt}", {
            "jurisdiction_id": jid, "service_request_id": case.number}), fmt)
        assert (row["requested_datetime"], row["updated_datetime"]) == (
            "2026-03-02T01:30:05+08:00", "2026-03-02T08:00:00+08:00")
        assert row["expected_datetime"] is None  # JSON null, an empty XML element

    def test_a_merged_request_names_the_case_it_went_into(self, client, world, jid, fmt):
        kept = CaseFactory(grid=world.grid_a1, category=world.category)
        merged = CaseFactory(grid=world.grid_a1, category=world.category, state=State.MERGED,
                             merged_into=kept)
        rows = {row["service_request_id"]: row for row in _requests(client.get(
            f"{BASE}requests.{fmt}", {"jurisdiction_id": jid}), fmt)}
        assert (rows[merged.number]["status"], rows[merged.number]["status_notes"]) == (
            "closed", f"已合并到 {kept.number}")
        assert (rows[kept.number]["status"], rows[kept.number]["status_notes"]) == (
            "open", "待受理")

    def test_hostile_text_is_escaped_and_the_document_stays_well_formed(self, client, world,
                                                                        jid, fmt):
        hostile = 'a < b && c > d "quoted" \'single\' </description><x/>]]> \x01\x0b\x1f\r\n end'
        CaseFactory(grid=world.grid_a1, category=world.category, description=hostile,
                    address="<b>示例路&3号</b>")
        [row] = _requests(client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": jid}), fmt)
        if fmt == "json":
            assert row["description"] == hostile
        else:
            # XML 1.0 cannot carry the control characters at all: they are dropped; the
            # carriage return survives as a character reference.
            assert row["description"] == hostile.replace("\x01", "").replace(
                "\x0b", "").replace("\x1f", "")
        assert row["address"] == "<b>示例路&*号</b>"

    @pytest.mark.parametrize("rows", [2, 30])
    def test_queries_do_not_grow_with_rows(self, client, world, jid, fmt, rows,
                                           django_assert_max_num_queries):
        CaseFactory.create_batch(rows, grid=world.grid_a1, category=world.category,
                                 department=world.enforcement)
        # the town, the cases, categories, departments, the public replies
        with django_assert_max_num_queries(5):
            response = client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": jid})
        assert len(_requests(response, fmt)) == rows


def test_at_most_a_thousand_requests(client, world, jid):
    Case.objects.bulk_create([CaseFactory.build(grid=world.grid_a1, category=world.category)
                              for _ in range(1001)])
    assert len(client.get(f"{BASE}requests.json", {"jurisdiction_id": jid}).json()) == 1000


def test_an_unknown_format_is_refused(client, world, jid):
    assert spec_error(client.get(f"{BASE}services.csv", {"jurisdiction_id": jid}), "json",
                      404)[0] == 404
