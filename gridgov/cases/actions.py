"""Every write to a case: views, the API, Open311, commands and the demo loader call these.

report_case() creates a case and act() moves it, both through the one transition table
(gridgov.cases.workflow); rate() is act() for the reporter, on the case they follow. Refusals
raise gridgov.core.workflow.WorkflowError(code, message, field) with a message in Chinese.

Photos are checked and re-encoded (gridgov.core.photos) and written to storage before the
transaction starts, so that a slow disk never holds the database's write lock; when the
transaction is refused, the files just written are deleted again.
"""

from django.db import connection

from gridgov.core.photos import clean_photos, delete_photos, store_photos
from gridgov.core.workflow import WorkflowError

from . import deadlines
from .models import Case, CasePhoto
from .workflow import CASE_WORKFLOW, TrackingCodeHolder, next_number_apart


def act(case: Case, action: str, *, actor, note: str = "", **data):
    """Run one workflow action on a case: returns (the updated case, its CaseEvent).

    The inputs of each action are declared on its row of gridgov.cases.workflow.TRANSITIONS;
    photos are stored here, before the transaction."""
    stored: list[str] = []
    try:
        for key in ("photos", "after_photos"):
            if data.get(key):
                data[key] = store_photos(CasePhoto.image.field, clean_photos(data[key], key),
                                         stored)
        return CASE_WORKFLOW.apply(case, action, actor=actor, note=note or "", **data)
    except BaseException:
        delete_photos(CasePhoto.image.field, stored)
        raise


def allowed_actions(case: Case, user) -> list:
    """The transitions this user may run on this case now (buttons, the API)."""
    return CASE_WORKFLOW.allowed_actions(case, user)


def reporter_as_actor(user, tracking_code: str | None):
    """The reporter as the workflow sees them: signed in, or holding the tracking code."""
    return user if getattr(user, "is_authenticated", False) else TrackingCodeHolder(tracking_code)


def rate(case: Case, *, satisfaction: str, reason: str = "", actor=None,
         tracking_code: str | None = None) -> Case:
    """The reporter's rating (满意/基本满意/不满意) after closure, of the case they follow: a
    duplicate's reporter rates the case theirs was merged into, where the work was done. A
    signed-in reporter is the actor, anyone else proves the link with the tracking code. 不满意
    needs a reason and puts the case before the operations centre again."""
    who = reporter_as_actor(actor, tracking_code)
    return act(case.followed(), "evaluate", actor=who, note=reason, satisfaction=satisfaction,
               reason=reason)[0]


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
    what it writes (the report limits' count) stands or falls with the case, at no extra commit.
    The inputs are checked by the report transition (gridgov.cases.workflow.REPORT_INPUTS); the
    photos are stored before the transaction, as for any action."""
    stored: list[str] = []
    try:
        before_names = store_photos(CasePhoto.image.field, clean_photos(photos, "photos"), stored)
        after_names = store_photos(CasePhoto.image.field,
                                   clean_photos(after_photos, "after_photos"), stored)
        if self_handled and not (before_names and after_names):
            field = "photos" if not before_names else "after_photos"
            raise WorkflowError("required", "自行处置需要处置前和处置后的照片", field)
        moment = deadlines.now()
        # SQLite lets one writer in at a time anyway: there the number is taken inside the
        # report's transaction, at no commit of its own. PostgreSQL locks just the day's
        # sequence row, which inside the report's transaction would stay locked until the report
        # commits and make every report wait for the one before: there it is taken first, in a
        # transaction of its own (next_number_apart).
        number = None if connection.vendor == "sqlite" else next_number_apart(moment)

        def then(case):
            if on_saved is not None:
                on_saved(case)
            if self_handled:
                CASE_WORKFLOW.apply(case, "self_handle", actor=actor, after_photos=after_names)

        # The engine checks the inputs and places the point before its transaction opens.
        case, _event = CASE_WORKFLOW.create(
            "report", actor=actor, category=category, description=description,
            longitude=longitude, latitude=latitude, address=address, source=source,
            urgency=urgency, reporter_name=reporter_name, reporter_phone=reporter_phone,
            is_anonymous=is_anonymous, photos=before_names, town=town,
            origin_type=origin_type, origin_id=origin_id, is_sample=is_sample,
            number=number, then=then)
    except BaseException:
        delete_photos(CasePhoto.image.field, stored)
        raise
    return case
