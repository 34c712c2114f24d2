"""How many reports one address or one phone number may make in a window (the report form and
POST /api/cases/), so that nobody can flood the operations centre's intake queue.

Reporters without a role (signed out, or signed-in residents) are limited; staff with a role
report all day on patrol and are not. The limits are settings (GRIDGOV_REPORT_RATE_*; 0 turns
one off). An anonymous report keeps no phone number, so only its address counts.

Only accepted reports are counted: the caller asks refusal() before calling
actions.report_case() and has count_report() run inside the report's transaction (on_saved), so
that a report and its count stand or fall together at no extra commit. A resident whose report was
turned back (no location, a wrong phone number) or who was told to wait does not use up the
allowance, and a refused request costs one read and no write. Counting every attempt
would also shield the server from a flood of requests, but that belongs in front of it (the web
server's own request limits), and it would punish a resident for the form's corrections. The
price: requests racing from one address can go a few past the limit (see gridgov.core.ratelimit).
"""

import math

from django.conf import settings
from django.utils.translation import gettext as _

from gridgov.core import pii, ratelimit
from gridgov.core.errors import Refusal
from gridgov.core.scope import roles_of


def _checks(request, reporter_phone: str) -> list[tuple[ratelimit.Rate, str]]:
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
    anonymous report)."""
    exceeded = ratelimit.exceeded(_checks(request, reporter_phone))
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
