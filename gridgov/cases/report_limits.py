"""How many reports one address or one phone number may make in a window (the report form and
POST /api/cases/), so that nobody can flood the operations centre's intake queue.

Reporters without a role (signed out, or signed-in residents) are limited; staff with a role
report all day on patrol and are not. The limits are settings (GRIDGOV_REPORT_RATE_*; 0 turns
one off). An anonymous report keeps no phone number, so only its address counts.

Accepted reports are counted: the caller asks refusal() before calling
actions.report_case() and has count_report() run inside the report's transaction (on_saved), so
that a report and its count stand or fall together at no extra commit. A resident whose report was
turned back (no location, a wrong phone number) does not use up that allowance.

Refused submissions are counted apart, per address (count_refused(), through guarded() around
the report form's view and in the API): GRIDGOV_REPORT_REFUSED_PER_ADDRESS of them in a window
leave room for a resident's corrections, and past it every submission from the address is
refused before its form is checked (its photos are never decoded), since a stream of bad
uploads costs the server as much decoding as good ones. That check reads every count the
submission may need at once (the address's, the phone number's as posted): one read a report.
The price: requests racing from one address can go a few past the limits (see
gridgov.core.ratelimit).
"""

import math

from django.conf import settings
from django.utils.translation import gettext as _

from gridgov.core import pii, ratelimit
from gridgov.core.errors import Refusal
from gridgov.core.scope import roles_of


def _refused_checks(request) -> list[tuple[ratelimit.Rate, str]]:
    if roles_of(request.user):
        return []
    rate = ratelimit.Rate("report-refused-address", settings.GRIDGOV_REPORT_REFUSED_PER_ADDRESS,
                          settings.GRIDGOV_REPORT_RATE_WINDOW_SECONDS)
    return [(rate, ratelimit.client_address(request))]


def _checks(request, reporter_phone: str) -> list[tuple[ratelimit.Rate, str]]:
    """The counts a report from this request and phone number is held to, worked out once per
    request and number: the read before the form, the decision and the count after the report
    each ask, and each would normalise the number and compute its blind index (an HMAC)."""
    known = request.__dict__.setdefault("_report_checks", {})
    if reporter_phone not in known:
        known[reporter_phone] = _checks_of(request, reporter_phone)
    return known[reporter_phone]


def _checks_of(request, reporter_phone: str) -> list[tuple[ratelimit.Rate, str]]:
    if roles_of(request.user):
        return []
    window = settings.GRIDGOV_REPORT_RATE_WINDOW_SECONDS
    per_address = ratelimit.Rate("report-address", settings.GRIDGOV_REPORT_RATE_PER_ADDRESS, window)
    per_phone = ratelimit.Rate("report-phone", settings.GRIDGOV_REPORT_RATE_PER_PHONE, window)
    checks = [(per_address, ratelimit.client_address(request))]
    phone = pii.normalize_phone(reporter_phone)
    if phone:
        # By its blind index: the counts never hold a phone number in clear.
        checks.append((per_phone, pii.blind_index(phone)))
    return checks


def refusal(request, reporter_phone: str) -> Refusal | None:
    """Why this report must wait (a 429 with Retry-After, on the phone field when the phone
    number is used up), or None. reporter_phone is the number the report keeps ("" for an
    anonymous report). Decided on the counts before_reading() read, when they hold this
    report's keys; read otherwise."""
    checks = _checks(request, reporter_phone) + _refused_checks(request)
    exceeded = ratelimit.exceeded(checks, getattr(request, "_report_counts", None))
    if exceeded is None:
        return None
    minutes = math.ceil(exceeded.retry_after / 60)
    retry = {"Retry-After": str(exceeded.retry_after)}
    if exceeded.rate.purpose == "report-phone":
        return Refusal("rate_limited", _(
            "这个电话号码提交过于频繁，请%(minutes)s分钟后再试") % {"minutes": minutes},
            "reporter_phone", headers=retry)
    return Refusal("rate_limited", _("提交过于频繁，请%(minutes)s分钟后再试") % {"minutes": minutes},
                   headers=retry)


def count_report(request, reporter_phone: str) -> None:
    """Count a report that was accepted."""
    ratelimit.count(_checks(request, reporter_phone))


def before_reading(request) -> None:
    """Refuse (429) a submission from an address whose refused submissions are used up, before
    its form is checked or its photos decoded. The one read of the counts serves refusal() too:
    it takes the phone number as posted (refusal() reads again if the report keeps another)."""
    refused = _refused_checks(request)
    posted_phone = request.POST.get("reporter_phone", "")
    request._report_counts = ratelimit.read(_checks(request, posted_phone) + refused)
    found = refusal(request, "") if ratelimit.exceeded(refused, request._report_counts) else None
    if found is not None:
        raise found


def count_refused(request) -> None:
    """Count a submission that made no report."""
    ratelimit.count(_refused_checks(request))


def guarded(view):
    """The report form's view with its submissions limited: checked before anything is read,
    and counted when refused (any answer but a redirect to the new case)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        before_reading(request)
        response = view(request, *args, **kwargs)
        if response.status_code >= 400:
            count_refused(request)
        return response

    return wrapper
