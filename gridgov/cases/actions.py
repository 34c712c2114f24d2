"""Every write to a case: views, the API, Open311, commands and the demo loader call these.

report_case() creates a case; act() is the one way to move it (the transition table in
gridgov.cases.workflow); rate() and merge() are act() with a friendlier signature. Refusals raise
gridgov.core.workflow.WorkflowError(code, message, field) with a message in Chinese.

Photos are checked and re-encoded (gridgov.cases.photos) and written to storage before the
transaction starts, so that a slow disk never holds the database's write lock; when the
transaction is refused, the files just written are deleted again.
"""

import math

from django.db import connection, transaction
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.core import audit, pii
from gridgov.core.scope import ScopeKind, roles_of, scope_ids
from gridgov.core.workflow import WorkflowError
from gridgov.grids import lookup

from . import deadlines, notifications
from .models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CasePhoto,
    Category,
    Source,
    State,
    Urgency,
)
from .photos import clean_photos
from .workflow import CASE_WORKFLOW, TrackingCodeHolder, actor_label, instance

MAX_DESCRIPTION = 2000
# Sources a resident (no role) may use; the others are for staff.
PUBLIC_SOURCES = {Source.RESIDENT, Source.OPEN311}


def _number_prefix() -> str:
    from django.conf import settings

    return getattr(settings, "GRIDGOV_CASE_NUMBER_PREFIX", "XJ")


def next_number(moment) -> str:
    """"XJ" + the day + that day's sequence: XJ20261123000042. One statement takes the number
    (an upsert that returns the new count), in the caller's transaction if there is one, else
    committed at once. Numbers never repeat; a report refused after taking one may leave a gap."""
    day = timezone.localdate(moment)
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{_number_prefix()}{day:%Y%m%d}{last:06d}"


def _store(photos, stored: list[str]) -> list[str]:
    names = []
    for photo in photos:
        field = CasePhoto.image.field
        name = field.storage.save(field.generate_filename(None, photo.name), photo)
        stored.append(name)
        names.append(name)
    return names


def _forget(stored: list[str]) -> None:
    for name in stored:
        CasePhoto.image.field.storage.delete(name)


def act(case: Case, action: str, *, actor, note: str = "", **data):
    """Run one workflow action on a case: returns (the updated case, its CaseEvent).

    data by action: register(category=, urgency=), reject(note), dispatch(department=),
    return(note), request_extension(working_days=, note), refuse_extension(note),
    suspend(note), escalate(departments=[...]), handle(after_photos=[...]),
    fail_verification(note), evaluate(satisfaction=, reason=), reopen(note), merge(into=);
    any action takes photos=[...] as attachments."""
    stored: list[str] = []
    try:
        for key in ("photos", "after_photos"):
            if data.get(key):
                data[key] = _store(clean_photos(data[key], key), stored)
        return CASE_WORKFLOW.apply(case, action, actor=actor, note=(note or "").strip(), **data)
    except BaseException:
        _forget(stored)
        raise


def allowed_actions(case: Case, user) -> list:
    """The transitions this user may run on this case now (buttons, the API)."""
    return CASE_WORKFLOW.allowed_actions(case, user)


def rate(case: Case, *, satisfaction: str, reason: str = "", actor=None,
         tracking_code: str | None = None) -> Case:
    """The reporter's rating (满意/基本满意/不满意) after closure; a signed-in reporter is the
    actor, anyone else proves the link with the tracking code. 不满意 needs a reason and puts
    the case before the operations centre again."""
    who = actor if getattr(actor, "is_authenticated", False) else TrackingCodeHolder(tracking_code)
    return act(case, "evaluate", actor=who, note=reason, satisfaction=satisfaction,
               reason=reason)[0]


def merge(case: Case, *, into: Case, actor) -> Case:
    """Merge a duplicate into the case that goes on; its reporters hear about the kept case."""
    return act(case, "merge", actor=actor, into=into)[0]


def _category(category) -> Category:
    chosen = instance(Category, category)
    if chosen is None or not chosen.is_active:
        raise WorkflowError("bad_category", "请选择问题分类", "category")
    return chosen


def _coordinate(value, low, high, field, label) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise WorkflowError("bad_location", f"{label}不正确，请在地图上选择位置", field)
    return number


def _check_source(actor, source: str, grid_id) -> None:
    if source not in Source.values:
        raise WorkflowError("bad_source", "来源不正确", "source")
    if source in PUBLIC_SOURCES or getattr(actor, "is_superuser", False):
        return
    roles = roles_of(actor)
    if source == Source.PATROL:
        ids = scope_ids(actor, [Role.GRID_STAFF])
        from gridgov.grids.models import Grid

        in_grid = grid_id is not None and (
            grid_id in ids.get(ScopeKind.GRID, ())
            or Grid.objects.filter(pk=grid_id,
                                   community_id__in=ids.get(ScopeKind.COMMUNITY, ())).exists()
        )
        if not in_grid:
            raise WorkflowError("forbidden", "只有本网格的网格员可以上报巡查发现的问题", "source")
    elif not roles:
        raise WorkflowError("forbidden", "该来源只能由工作人员登记", "source")


def report_case(*, actor, category, description: str, longitude, latitude, address: str = "",
                source: str, urgency: str | None = None, reporter_name: str = "",
                reporter_phone: str = "", is_anonymous: bool = False, photos=(),
                self_handled: bool = False, after_photos=(), town=None, origin_type: str = "",
                origin_id: str = "", is_sample: bool = False, on_saved=None) -> Case:
    """A new case from a resident, a patrol, the hotline, a deputy, a visit or Open311.

    The grid, community and town come from the point. A signed-in reporter follows the case in
    their own list; an anonymous one by its tracking code (no name, phone or account is kept).
    self_handled=True (grid staff on patrol) closes it at once, with before (photos) and after
    photos, to be checked later by sampling. on_saved(case) runs inside the report's transaction:
    what it writes (the report limits' count) stands or falls with the case, at no extra commit."""
    category = _category(category)
    description = (description or "").strip()
    if not description:
        raise WorkflowError("required", "请描述问题", "description")
    if len(description) > MAX_DESCRIPTION:
        raise WorkflowError("too_long", f"问题描述不能超过{MAX_DESCRIPTION}字", "description")
    longitude = _coordinate(longitude, -180, 180, "longitude", "经度")
    latitude = _coordinate(latitude, -90, 90, "latitude", "纬度")
    urgency = urgency or category.urgency
    if urgency not in Urgency.values:
        raise WorkflowError("bad_urgency", "紧急程度只能是一般或紧急", "urgency")
    signed_in = getattr(actor, "is_authenticated", False)
    if is_anonymous:
        reporter_name = reporter_phone = ""
    reporter_phone = pii.normalize_phone(reporter_phone)
    if reporter_phone and not (pii.is_valid_mobile(reporter_phone)
                               or pii.LANDLINE_RE.match(reporter_phone)):
        raise WorkflowError("bad_phone", "请填写正确的手机号或固定电话", "reporter_phone")
    if self_handled and not (photos and after_photos):
        field = "photos" if not photos else "after_photos"
        raise WorkflowError("required", "自行处置需要处置前和处置后的照片", field)
    town_id, community_id, grid_id = lookup.place(longitude, latitude, town=town)
    _check_source(actor, source, grid_id)

    moment = deadlines.now()
    stored: list[str] = []
    try:
        before_names = _store(clean_photos(photos, "photos"), stored)
        after_names = _store(clean_photos(after_photos, "after_photos"), stored)
        # An anonymous reporter stays anonymous to staff; only the audit log keeps the account.
        shown_actor = actor if signed_in and not is_anonymous else None
        # SQLite lets one writer in at a time anyway: there the number is taken inside the
        # report's transaction, at no commit of its own. PostgreSQL locks just the day's
        # sequence row, which inside the report's transaction would stay locked until the report
        # commits and make every report wait for the one before: there it is taken first.
        number = None if connection.vendor == "sqlite" else next_number(moment)
        with transaction.atomic():
            case = Case.objects.create(
                number=number or next_number(moment), town_id=town_id, community_id=community_id, grid_id=grid_id,
                category=category, source=source, description=description,
                address=(address or "").strip()[:200], longitude=longitude, latitude=latitude,
                urgency=urgency, reporter=shown_actor,
                reporter_name=(reporter_name or "").strip()[:50], reporter_phone=reporter_phone,
                is_anonymous=is_anonymous, reported_at=moment, origin_type=origin_type,
                origin_id=str(origin_id or ""), is_sample=is_sample,
            )
            event = CaseEvent.objects.create(
                case=case, action="report", from_state="", to_state=State.REPORTED,
                actor=shown_actor,
                actor_label="匿名上报人" if is_anonymous else actor_label(actor)[:100],
                data={"source": source, "photos": len(before_names)}, at=moment,
            )
            CasePhoto.objects.bulk_create([
                CasePhoto(case=case, event=event, phase="before", image=name,
                          uploaded_by=shown_actor)
                for name in before_names
            ])
            audit.record("cases.case.report", actor=actor, target=case, changes={
                "state": ["", State.REPORTED], "category": category.pk, "source": source,
                "grid": grid_id, "anonymous": is_anonymous,
            })
            notifications.send_on_commit(event, case)
            if on_saved is not None:
                on_saved(case)
            if self_handled:
                case, _event = CASE_WORKFLOW.apply(case, "self_handle", actor=actor,
                                                   after_photos=after_names)
    except BaseException:
        _forget(stored)
        raise
    return case
