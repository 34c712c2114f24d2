"""Notifications through a durable outbox, and the one registry of senders.

An app that tells people about an event calls notify() inside the event's transaction: one
Notice row per recipient and channel, committed or rolled back with the event, so a refused
action leaves no notice and a committed one cannot lose its notices. Nothing leaves during the
request: `gridgov tick` runs deliver(), which claims each waiting row by compare-and-set (two
ticks at once send it once), hands it to the channel's sender, and marks it sent. A sender that
fails is retried with exponential backoff (RETRY_AFTER, doubled each time) up to MAX_ATTEMPTS;
Undeliverable (no address for this channel) gives up at once. Whatever a sender does, the event
stays done. A notice is sent once, unless its deliverer dies between the sender's answer and the
mark: then it is sent again after LEASE (so a sender must give up on its gateway well within it).

Channels are names of senders: "console" (printed), "log" (a log line), "email" (Django's e-mail
backend, to a notice's e-mail address), and plug-ins named in settings.GRIDGOV_NOTICE_SENDERS
({"sms": "mytown.sms.Sender"}), e.g. SMS or WeChat gateways. A sender is a class with
send(notice), where notice is a Notice: notice.user (who has a phone number, notice.user.phone)
or notice.address (decrypted), notice.subject, notice.body. It raises to report a failure.
settings.GRIDGOV_NOTICE_CHANNELS names the channels each notice goes out on.

send_now() uses the same senders without the outbox, for a message someone is waiting for and
that must not be stored: a log-in code.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from gridgov.core import pii, rows
from gridgov.core.models import Notice

logger = logging.getLogger(__name__)

SENDERS = {
    "console": "gridgov.core.notify.ConsoleSender",
    "log": "gridgov.core.notify.LogSender",
    "email": "gridgov.core.notify.EmailSender",
}
MAX_ATTEMPTS = 8
# The wait after the first failure, doubled after each: 1, 2, 4 ... 64 minutes, about four hours
# in all before a notice is given up.
RETRY_AFTER = dt.timedelta(minutes=1)
# A claimed notice whose deliverer died (killed mid-send) waits this long, then is tried again.
LEASE = dt.timedelta(minutes=10)
DELETE_BATCH = 5000


class Undeliverable(Exception):
    """The channel cannot reach this recipient (no address of its kind): not retried."""


def recipient(notice: Notice) -> str:
    """Who a notice is for, masked, for logs and the console."""
    if notice.user_id:
        return f"user:{notice.user_id}"
    if "@" in notice.address:
        local, domain = notice.address.rsplit("@", 1)
        return f"{local[:1]}***@{domain}"
    return pii.mask_phone(notice.address)


class ConsoleSender:
    """For development: prints the message to the server's console."""

    def send(self, notice: Notice) -> None:
        print(f"[{notice.channel} {recipient(notice)}] {notice.body}", flush=True)


class LogSender:
    """A log line per notice, for a town that reads its logs."""

    def send(self, notice: Notice) -> None:
        # A log is read by more people than the notice's recipient: tracking codes (the key to
        # a case's page and photos) and phone or ID numbers in the text are masked.
        logger.info("notice %s about %s:%s to %s: %s", notice.kind, notice.object_type,
                    notice.object_id, recipient(notice),
                    pii.mask_tracking_codes(pii.mask_free_text(notice.body)))


class EmailSender:
    """Through Django's e-mail backend (EMAIL_HOST ...), to the notice's e-mail address."""

    def send(self, notice: Notice) -> None:
        if "@" not in notice.address:
            raise Undeliverable("no e-mail address")
        send_mail(notice.subject or notice.body[:40], notice.body, None, [notice.address])


def sender(channel: str):
    paths = {**SENDERS, **settings.GRIDGOV_NOTICE_SENDERS}
    if channel not in paths:
        raise ImproperlyConfigured(f"no sender for the notice channel {channel!r} "
                                   "(GRIDGOV_NOTICE_SENDERS)")
    return import_string(paths[channel])()


def notify(*, kind: str, body: str, user_ids=(), addresses=(), subject: str = "",
           about=None) -> list[Notice]:
    """Write one notice per recipient (user ids, or addresses of people without an account) and
    channel, in the caller's transaction; `about` is the object it concerns."""
    now = timezone.now()
    from gridgov.core.audit import town_of

    target = {}
    if about is not None:
        target = {"object_type": about._meta.label_lower, "object_id": str(about.pk),
                  "town_id": town_of(about)}
    recipients = [{"user_id": pk} for pk in user_ids] + [{"address": a} for a in addresses]
    notices = [Notice(channel=channel, kind=kind, subject=subject, body=body, created_at=now,
                      next_attempt_at=now, **target, **to)
               for channel in settings.GRIDGOV_NOTICE_CHANNELS for to in recipients]
    if len(notices) == 1:
        # The common notice (a reporter's receipt) is one row: bulk_create builds its statement
        # anew each time, at twice the cost of the one kept by rows.insert.
        rows.insert(notices[0])
        return notices
    return Notice.objects.bulk_create(notices)


def send_now(channel: str, *, kind: str, body: str, address: str = "", subject: str = "") -> bool:
    """Send one message at once through the channel's sender, outside the outbox; a failure is
    logged and answered False, never raised."""
    notice = Notice(channel=channel, kind=kind, address=address, subject=subject, body=body)
    try:
        sender(channel).send(notice)
    except Exception:
        logger.exception("sending %s on %s to %s failed", kind, channel, recipient(notice))
        return False
    return True


def retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_AFTER * 2 ** (attempts - 1)


def deliver(now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send the notices waiting at `now` (at most `limit`), each claimed first."""
    now = now or timezone.now()
    counts = {"sent": 0, "retrying": 0, "given_up": 0}
    waiting = list(Notice.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at")
                   .values_list("pk", flat=True)[:limit])
    senders = {}
    for pk in waiting:
        claimed = Notice.objects.filter(pk=pk, next_attempt_at__lte=now).update(
            next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
        if claimed != 1:
            continue  # another tick has it
        notice = Notice.objects.select_related("user").get(pk=pk)
        try:
            if notice.channel not in senders:
                senders[notice.channel] = sender(notice.channel)
            senders[notice.channel].send(notice)
        except Exception as error:
            give_up = isinstance(error, Undeliverable) or notice.attempts >= MAX_ATTEMPTS
            logger.warning("notice %s on %s failed (attempt %s%s): %s", pk, notice.channel,
                           notice.attempts, ", given up" if give_up else "", error)
            Notice.objects.filter(pk=pk).update(
                last_error=f"{type(error).__name__}: {error}"[:500],
                next_attempt_at=None if give_up else now + retry_delay(notice.attempts),
            )
            counts["given_up" if give_up else "retrying"] += 1
        else:
            Notice.objects.filter(pk=pk).update(sent_at=timezone.now(), next_attempt_at=None,
                                                last_error="")
            counts["sent"] += 1
    return counts


def forget_old(now: dt.datetime | None = None) -> int:
    """Delete notices sent or given up more than GRIDGOV_NOTICE_KEEP_DAYS ago (they hold
    personal data), in batches; how many."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.GRIDGOV_NOTICE_KEEP_DAYS)
    old = Notice.objects.filter(next_attempt_at=None, created_at__lt=before)
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:DELETE_BATCH]):
        deleted += Notice.objects.filter(pk__in=batch).delete()[0]
    return deleted
