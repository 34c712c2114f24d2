"""The visiting team ("鑫"能量走访服务团队, "四百"走访): plans, records and follow-ups.

A record is written on a phone, often where there is no signal; the phone keeps it and sends it
when it is back online, perhaps twice (an answer lost on the way). Each record carries the
phone's idempotency key: a key already stored answers with the record it made, so a record sent
twice is stored once. Each need found becomes a service application (gridgov.services.actions)
or a case (gridgov.cases.actions.report_case, with the need as its origin), linked both ways, or
is marked answered on the spot.
"""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.cases.actions import report_case
from gridgov.cases.models import Source
from gridgov.cases.workflow import sources_for
from gridgov.core import audit
from gridgov.core.errors import Refusal
from gridgov.core.photos import clean_photos, delete_photos, store_photos
from gridgov.core.scope import ScopeKind, scope_ids

from . import actions
from .models import NeedState, Organisation, VisitNeed, VisitPhoto, VisitPlan, VisitRecord
from .rules import VISIT_PLANNERS, VISIT_TEAM

audit.register("services.visitplan.created", "新建走访计划")
audit.register("services.visitrecord.submitted", "提交走访记录")
audit.register("services.visitneed.followed_up", "走访诉求转办")
audit.register("services.visitneed.answered", "走访诉求现场解决")

MAX_NEEDS = 10
MAX_PAST_DAYS = 366
ORIGIN_TYPE = "services.visitneed"


def covers(user, roles, *, town_id, grid=None) -> bool:
    """Whether the user holds one of `roles` in the grid, its community or the town."""
    if getattr(user, "is_superuser", False):
        return True
    ids = scope_ids(user, roles)
    if grid is not None and (grid.pk in ids.get(ScopeKind.GRID, ())
                             or grid.community_id in ids.get(ScopeKind.COMMUNITY, ())):
        return True
    return town_id in ids.get(ScopeKind.TOWN, ())


def create_plan(*, actor, town, title: str, due_on: dt.date, grid=None, visitors=(),
                places=(), organisations=(), starts_on=None, note: str = "",
                is_sample=False) -> VisitPlan:
    if not covers(actor, VISIT_PLANNERS, town_id=town.pk, grid=grid):
        raise Refusal("forbidden", "只有党建办、城运中心和镇领导可以在其范围内制定走访计划")
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise Refusal("required", "请填写走访计划名称（最多100字）", "title")
    starts_on = starts_on or timezone.localdate()
    if due_on < starts_on:
        raise Refusal("bad_dates", "完成期限不能早于开始日期", "due_on")
    with transaction.atomic():
        plan = VisitPlan.objects.create(town=town, grid=grid, title=title, due_on=due_on,
                                        starts_on=starts_on, note=note, created_by=actor
                                        if getattr(actor, "is_authenticated", False) else None,
                                        is_sample=is_sample)
        plan.visitors.set(visitors)
        plan.places.set(places)
        plan.organisations.set(organisations)
        audit.record("services.visitplan.created", actor=actor, target=plan,
                     changes={"due_on": str(due_on), "targets": len(places) + len(organisations)})
    return plan


def _target(actor, place, organisation):
    if (place is None) == (organisation is None):
        raise Refusal("required", "请选择走访的地点或对象（二选一）", "target")
    if organisation is not None:
        return organisation.town_id, organisation.grid, place or organisation.building
    return place.town_id, place.grid, place


def parse_key(key) -> uuid.UUID:
    try:
        return key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
    except (TypeError, ValueError):
        raise Refusal("bad_key", "提交标识无效，请刷新页面后重试", "key") from None


def submit_visit(*, actor, key, visited_on: dt.date, visitors: str, place=None,
                 organisation=None, plan=None, people_met: str = "", questions: str = "",
                 answers: str = "", needs=(), photos=(), is_sample=False):
    """Store one visit record; returns (record, created). The same key again returns the record
    it made (created False) without writing anything; a key someone else used is refused."""
    key = parse_key(key)
    existing = VisitRecord.objects.filter(key=key).first()
    if existing is not None:
        return _same_sender(existing, actor), False
    town_id, grid, _where = _target(actor, place, organisation)
    if not covers(actor, VISIT_TEAM, town_id=town_id, grid=grid):
        raise Refusal("forbidden", "只有走访服务团队可以在其范围内记录走访")
    today = timezone.localdate()
    if visited_on > today or visited_on < today - dt.timedelta(days=MAX_PAST_DAYS):
        raise Refusal("bad_date", "走访日期应在一年内且不晚于今天", "visited_on")
    visitors = (visitors or "").strip()
    if not visitors or len(visitors) > 200:
        raise Refusal("required", "请填写走访人员（最多200字）", "visitors")
    needs = [n.strip() for n in needs if n and n.strip()]
    if len(needs) > MAX_NEEDS or any(len(n) > 500 for n in needs):
        raise Refusal("too_many", f"每次最多记录{MAX_NEEDS}条诉求，每条最多500字", "needs")
    if plan is not None and plan.town_id != town_id:
        raise Refusal("bad_plan", "走访计划与走访对象不在同一镇", "plan")
    stored: list[str] = []
    image_field = VisitPhoto.image.field
    try:
        names = store_photos(image_field, clean_photos(photos, "photos"), stored)
        with transaction.atomic():
            record = VisitRecord.objects.create(
                key=key, town_id=town_id, grid=grid, plan=plan, place=place,
                organisation=organisation, visited_on=visited_on, visitors=visitors,
                people_met=people_met[:200], questions=questions, answers=answers,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                is_sample=is_sample)
            VisitNeed.objects.bulk_create([VisitNeed(record=record, description=n)
                                           for n in needs])
            VisitPhoto.objects.bulk_create([VisitPhoto(record=record, image=name)
                                            for name in names])
            audit.record("services.visitrecord.submitted", actor=actor, target=record,
                         changes={"needs": len(needs), "photos": len(names)})
    except IntegrityError:
        # The same key sent twice at once: the other request stored it first.
        delete_photos(image_field, stored)
        existing = VisitRecord.objects.filter(key=key).first()
        if existing is None:
            raise
        return _same_sender(existing, actor), False
    except BaseException:
        delete_photos(image_field, stored)
        raise
    return record, True


def _same_sender(record: VisitRecord, actor) -> VisitRecord:
    if record.recorded_by_id != getattr(actor, "pk", None):
        raise Refusal("duplicate_key", "该提交标识已被使用，请刷新页面后重新填写", "key")
    return record


def _open_need(need: VisitNeed, actor) -> VisitNeed:
    locked = (VisitNeed.objects.select_for_update(of=("self",))
              .select_related("record__grid", "record__place", "record__organisation__building")
              .get(pk=need.pk))
    record = locked.record
    if not covers(actor, VISIT_TEAM, town_id=record.town_id, grid=record.grid):
        raise Refusal("forbidden", "只有走访服务团队可以跟进其范围内的诉求")
    if locked.state != NeedState.OPEN:
        raise Refusal("illegal_transition", "该诉求已经跟进过了")
    return locked


def _followed(need: VisitNeed, actor, state: str, **link) -> None:
    need.state = state
    need.followed_up_at = timezone.now()
    need.followed_up_by = actor if getattr(actor, "is_authenticated", False) else None
    for name, value in link.items():
        setattr(need, name, value)
    need.save()


def follow_up_as_application(need: VisitNeed, *, actor, item, contact_name: str,
                             contact_phone: str, details: str = "", applicant_kind: str = "",
                             organisation_name: str = "", credit_code: str = ""):
    """The need becomes a service application made for the organisation (or person) visited;
    the application names the need and the need its application."""
    with transaction.atomic():
        need = _open_need(need, actor)
        record = need.record
        organisation: Organisation | None = record.organisation
        if not applicant_kind:
            applicant_kind = "organisation" if organisation else "person"
        if organisation and applicant_kind == "organisation":
            organisation_name = organisation_name or organisation.name
            credit_code = credit_code or organisation.credit_code
        application = actions.apply(
            actor=actor, item=item, applicant_kind=applicant_kind, contact_name=contact_name,
            contact_phone=contact_phone, details=details or need.description,
            organisation_name=organisation_name, credit_code=credit_code, on_behalf=True,
            grid=record.grid, organisation=organisation, is_sample=record.is_sample)
        _followed(need, actor, NeedState.APPLICATION, application=application)
        audit.record("services.visitneed.followed_up", actor=actor, target=need,
                     changes={"application": application.number})
    return application


def follow_up_as_case(need: VisitNeed, *, actor, category):
    """The need becomes a grid case at the place visited (source 走访, or 巡查 for grid staff
    who may not file visits), its origin the need; the need names the case."""
    with transaction.atomic():
        need = _open_need(need, actor)
        record = need.record
        where = record.place or (record.organisation.building if record.organisation else None)
        if where is None:
            raise Refusal("no_position", "该走访对象没有登记所在楼宇或地点，无法转为网格事件",
                          "need")
        allowed = sources_for(actor)
        source = Source.VISIT if Source.VISIT in allowed else (
            Source.PATROL if Source.PATROL in allowed else None)
        if source is None:
            raise Refusal("forbidden", "转为网格事件需由城运中心或本网格网格员办理")
        target = record.organisation or record.place
        case = report_case(
            actor=actor, category=category, description=f"走访发现（{target}）：{need.description}",
            longitude=where.longitude, latitude=where.latitude, address=where.address,
            source=source, town=record.town, origin_type=ORIGIN_TYPE, origin_id=str(need.pk),
            is_sample=record.is_sample)
        _followed(need, actor, NeedState.CASE, case=case)
        audit.record("services.visitneed.followed_up", actor=actor, target=need,
                     changes={"case": case.number})
    return case


def mark_answered(need: VisitNeed, *, actor) -> VisitNeed:
    with transaction.atomic():
        need = _open_need(need, actor)
        _followed(need, actor, NeedState.ANSWERED)
        audit.record("services.visitneed.answered", actor=actor, target=need)
    return need


def need_of_case(case) -> VisitNeed | None:
    """The visit need a case was raised from (its origin), if any."""
    if case.origin_type != ORIGIN_TYPE:
        return None
    return VisitNeed.objects.filter(pk=case.origin_id).first() if case.origin_id.isdigit() else None
