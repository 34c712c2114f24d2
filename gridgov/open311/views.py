"""GeoReport v2 endpoints (see the package docstring for the map onto cases)."""

import datetime as dt
import re
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.cases import actions, public
from gridgov.cases.models import Case, Category, Source, State
from gridgov.core import params, pii
from gridgov.core.errors import Refusal
from gridgov.grids.models import Department, Town
from gridgov.open311 import keys
from gridgov.open311.formats import UtcText, errors, respond, w3c_from_utc_text

MAX_REQUESTS = 1000
DEFAULT_DAYS = MAX_DAYS = 90
CLOSED_STATES = (State.CLOSED, State.EVALUATED, State.REJECTED, State.MERGED)
SERVICE_CODE = re.compile(r"^([BS])(\d{2})(\d{2})$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def endpoint(view):
    """Answer in the requested format; a refusal becomes the spec's error list."""

    @wraps(view)
    def wrapper(request, fmt, **kwargs):
        if fmt not in ("json", "xml"):
            return errors("json", 404, "格式只能是 json 或 xml")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            return errors(fmt, error.status, error.description)
        except Refusal as refusal:  # a parameter core.params refused
            return errors(fmt, refusal.status, refusal.message)

    return wrapper


def jurisdiction_of(town: Town) -> str:
    return f"{town.district_code}{town.code}"


def _town(jurisdiction_id: str) -> Town:
    jurisdiction_id = params.text(jurisdiction_id, "jurisdiction_id", max_length=20)
    if jurisdiction_id:
        town = Town.objects.filter(district_code=jurisdiction_id[:6],
                                   code=jurisdiction_id[6:]).first()
        if town is None or len(jurisdiction_id) != 9:
            raise Open311Error(404, f"jurisdiction_id {jurisdiction_id} 不存在")
        return town
    towns = list(Town.objects.all()[:2])
    if len(towns) != 1:
        raise Open311Error(400, "本平台服务多个镇/街道，请提供 jurisdiction_id")
    return towns[0]


def _category(service_code: str) -> Category | None:
    match = SERVICE_CODE.match(service_code or "")
    if not match:
        return None
    kind = "component" if match[1] == "B" else "event"
    return Category.objects.filter(kind=kind, major_code=match[2], minor_code=match[3],
                                   is_active=True).first()


def _service(category: Category) -> dict:
    return {"service_code": category.code, "service_name": category.name,
            "description": category.plain_name, "metadata": False, "type": "realtime",
            "keywords": category.keywords, "group": category.major_name}


@require_GET
@endpoint
def services(request, fmt):
    _town(request.GET.get("jurisdiction_id", ""))
    rows = [_service(c) for c in Category.objects.filter(is_active=True)]
    return respond(fmt, rows, root="services", item="service")


@require_GET
@endpoint
def service_definition(request, fmt, service_code):
    _town(request.GET.get("jurisdiction_id", ""))
    category = _category(service_code)
    if category is None:
        raise Open311Error(404, f"service_code {service_code} 不存在")
    return respond(fmt, {"service_code": category.code, "attributes": []},
                   root="service_definition", item=None)


@csrf_exempt  # posted by partner systems with an api_key, never from a browser session
@require_http_methods(["GET", "POST"])
@endpoint
def service_requests(request, fmt):
    return _create(request, fmt) if request.method == "POST" else _list(request, fmt)


def _create(request, fmt):
    data = request.POST
    key = keys.authenticate(data.get("api_key"))
    if key is None:
        raise Open311Error(403, "api_key 无效或已停用")
    if data.get("jurisdiction_id") and data["jurisdiction_id"] != jurisdiction_of(key.town):
        raise Open311Error(403, "该 api_key 不能向此 jurisdiction_id 提交")
    category = _category(data.get("service_code", ""))
    if category is None:
        raise Open311Error(400, "service_code 缺失或无效")
    if not data.get("lat") or not data.get("long"):
        raise Open311Error(400, "lat 和 long 必填：本辖区按坐标确定网格")
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    phone = data.get("phone", "").strip()
    try:
        case = actions.report_case(
            actor=AnonymousUser(), category=category, description=data.get("description", ""),
            longitude=data["long"], latitude=data["lat"],
            address=data.get("address_string", ""), source=Source.OPEN311,
            reporter_name=name, reporter_phone=phone, is_anonymous=not (name or phone),
            town=key.town, origin_type="open311", origin_id=str(key.pk),
        )
    except Refusal as error:
        raise Open311Error(error.status,
                           f"{error.field}: {error.message}" if error.field else error.message)
    notice = f"已受理，事件编号 {case.number}，查询码 {case.tracking_code}"
    return respond(fmt, [{"service_request_id": case.number, "service_notice": notice,
                          "account_id": None}],
                   root="service_requests", item="request", status=201)


def _window(start_text: str, end_text: str) -> tuple[dt.datetime, dt.datetime]:
    start, end = params.moment(start_text, "start_date"), params.moment(end_text, "end_date")
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - span
    if end is None:
        end = start + span
    if start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise Open311Error(400, f"查询期间不能超过 {MAX_DAYS} 天")
    return start, end


STATE_LABELS = dict(State.choices)
# The order _requests() unpacks them in.
REQUEST_COLUMNS = ("number", "state", "category_id", "department_id", "description", "address",
                   "longitude", "latitude", UtcText("reported_at"),
                   UtcText("updated_at"), UtcText("due_at"),
                   "merged_into__number", "pk")


def _public_cases(town: Town):
    return Case.objects.filter(town=town)


def _requests(cases) -> list[dict]:
    """The spec's service requests for these cases: plain column values, with the catalogue and
    the departments read once (a few hundred rows) instead of joined to every case. A thousand
    rows go through here, so whatever is the same for every row (a category's name and code,
    a state's label, the time zone) is worked out once, and each row is one dict literal."""
    rows = list(cases.values_list(*REQUEST_COLUMNS))
    services = {c.pk: (c.name, c.code) for c in Category.objects.filter(
        pk__in={row[2] for row in rows})}
    departments = dict(Department.objects.filter(
        pk__in={row[3] for row in rows}).values_list("pk", "name"))
    notes = {state: str(label) for state, label in STATE_LABELS.items()}  # this request's language
    # What the department told the reporter is public; internal notes never are (one policy).
    replies = public.latest_replies(row[-1] for row in rows)
    w3c = w3c_from_utc_text()
    mask_text, mask_address = pii.mask_free_text, pii.mask_address
    requests = []
    for (number, state, category_id, department_id, description, address, longitude, latitude,
         reported_at, updated_at, due_at, merged_into_number, pk) in rows:
        service_name, service_code = services[category_id]
        requests.append({
            "service_request_id": number,
            "status": "closed" if state in CLOSED_STATES else "open",
            "status_notes": (f"已合并到 {merged_into_number}"
                             if state == State.MERGED and merged_into_number
                             else replies.get(pk) or notes.get(state, state)),
            "service_name": service_name,
            "service_code": service_code,
            "description": mask_text(description),
            "agency_responsible": departments.get(department_id, ""),
            "service_notice": "",
            "requested_datetime": w3c(reported_at),
            "updated_datetime": w3c(updated_at),
            "expected_datetime": w3c(due_at),
            "address": mask_address(address),
            "address_id": "",
            "zipcode": "",
            "lat": latitude,
            "long": longitude,
            "media_url": "",
        })
    return requests


def _list(request, fmt):
    params = request.GET
    town = _town(params.get("jurisdiction_id", ""))
    cases = _public_cases(town)
    ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        # The spec: with ids given, every other filter is ignored.
        cases = cases.filter(number__in=ids[:MAX_REQUESTS])
    else:
        start, end = _window(params.get("start_date", ""), params.get("end_date", ""))
        cases = cases.filter(reported_at__gte=start, reported_at__lte=end)
        if params.get("service_code"):
            codes = [_category(code) for code in params["service_code"].split(",")]
            cases = cases.filter(category__in=[c for c in codes if c is not None])
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed")
        if statuses == {"open"}:
            cases = cases.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            cases = cases.filter(state__in=CLOSED_STATES)
    rows = _requests(cases.order_by("-reported_at", "-pk")[:MAX_REQUESTS])
    return respond(fmt, rows, root="service_requests", item="request")


@require_GET
@endpoint
def service_request(request, fmt, service_request_id):
    town = _town(request.GET.get("jurisdiction_id", ""))
    rows = _requests(_public_cases(town).filter(number=service_request_id))
    if not rows:
        raise Open311Error(404, f"service_request_id {service_request_id} 不存在")
    return respond(fmt, rows, root="service_requests", item="request")


