import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from gridgov.core import notify
from gridgov.core.models import Notice
from gridgov.core.tests.concurrency import race
from gridgov.grids.tests.factories import TownFactory, UserFactory


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


class Gateway:
    """A plug-in sender that keeps what it sent; `failures` makes the next sends fail."""

    sent: list[Notice] = []
    failures = 0

    def send(self, notice):
        if Gateway.failures:
            Gateway.failures -= 1
            raise ConnectionError("gateway down")
        Gateway.sent.append(notice)


@pytest.fixture(autouse=True)
def gateway(settings):
    settings.GRIDGOV_NOTICE_SENDERS = {"sms": f"{__name__}.Gateway"}
    settings.GRIDGOV_NOTICE_CHANNELS = ["sms"]
    Gateway.sent, Gateway.failures = [], 0
    return Gateway


def write(**kwargs):
    kwargs.setdefault("addresses", ["13912345678"])
    return notify.notify(kind="test.hello", body="您好", **kwargs)


@pytest.mark.django_db
def test_a_notice_per_recipient_and_channel_with_the_address_encrypted(settings):
    settings.GRIDGOV_NOTICE_CHANNELS = ["sms", "log"]
    user, town = UserFactory(), TownFactory()
    write(user_ids=[user.pk], about=town)
    rows = Notice.objects.order_by("channel", "id")
    assert [(n.channel, n.user_id, n.address) for n in rows] == [
        ("log", user.pk, ""), ("log", None, "13912345678"),
        ("sms", user.pk, ""), ("sms", None, "13912345678"),
    ]
    assert {(n.object_type, n.object_id) for n in rows} == {("grids.town", str(town.pk))}
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM core_notice WHERE address != ''")
        assert all("13912345678" not in stored for (stored,) in cursor.fetchall())


@pytest.mark.django_db
def test_a_single_notice_is_stored_as_several_are(settings):
    town = TownFactory()
    [alone] = write(about=town)
    settings.GRIDGOV_NOTICE_CHANNELS = ["sms", "log"]
    together = write(about=town)
    assert alone.pk is not None and all(n.pk for n in together)
    columns = [f.attname for f in Notice._meta.concrete_fields
               if f.attname not in ("id", "channel", "address", "created_at", "next_attempt_at")]
    stored = {n.pk: n for n in Notice.objects.all()}
    assert Notice.objects.get(pk=alone.pk).address == "13912345678"
    for other in together:
        assert ([getattr(stored[alone.pk], c) for c in columns]
                == [getattr(stored[other.pk], c) for c in columns])
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM core_notice WHERE id = %s", [alone.pk])
        assert "13912345678" not in cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_notice():
    with pytest.raises(RuntimeError), transaction.atomic():
        write()
        raise RuntimeError("refused")
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_a_notice_is_delivered_once(gateway):
    write()
    assert notify.deliver() == {"sent": 1, "retrying": 0, "given_up": 0}
    assert notify.deliver() == {"sent": 0, "retrying": 0, "given_up": 0}
    [sent] = gateway.sent
    assert (sent.address, sent.body) == ("13912345678", "您好")
    notice = Notice.objects.get()
    assert (notice.attempts, notice.next_attempt_at, notice.last_error) == (1, None, "")
    assert notice.sent_at is not None


@pytest.mark.django_db
def test_a_failing_channel_is_retried_with_backoff_then_given_up(gateway, caplog):
    start = at(2026, 12, 1, 9)
    with transaction.atomic():
        [notice] = write()
    Notice.objects.update(next_attempt_at=start)
    gateway.failures = 2
    assert notify.deliver(now=start)["retrying"] == 1
    notice.refresh_from_db()
    assert notice.next_attempt_at == start + dt.timedelta(minutes=1)
    assert notice.last_error == "ConnectionError: gateway down"
    assert notify.deliver(now=start + dt.timedelta(seconds=59))["retrying"] == 0  # not yet
    assert notify.deliver(now=start + dt.timedelta(minutes=1))["retrying"] == 1
    notice.refresh_from_db()
    assert notice.next_attempt_at == start + dt.timedelta(minutes=3)  # waits twice as long
    assert notify.deliver(now=start + dt.timedelta(minutes=3))["sent"] == 1
    assert len(gateway.sent) == 1
    assert "notice" in caplog.text and "gateway down" in caplog.text

    gateway.failures = notify.MAX_ATTEMPTS
    [failing] = write()
    # Due from the test's start, not from the real clock (which may pass the first moment below).
    Notice.objects.filter(pk=failing.pk).update(next_attempt_at=start)
    moment = start
    for _ in range(notify.MAX_ATTEMPTS):
        moment += dt.timedelta(days=1)
        counts = notify.deliver(now=moment)
    assert counts["given_up"] == 1
    given_up = Notice.objects.latest("id")
    assert (given_up.sent_at, given_up.next_attempt_at) == (None, None)
    assert given_up.attempts == notify.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_notice_the_channel_cannot_address_is_given_up_at_once(settings):
    settings.GRIDGOV_NOTICE_CHANNELS = ["email"]
    write(addresses=["13912345678", "juwei@example.org"])
    assert notify.deliver() == {"sent": 1, "retrying": 0, "given_up": 1}
    assert [m.to for m in mail.outbox] == [["juwei@example.org"]]
    assert mail.outbox[0].body == "您好"


@pytest.mark.django_db
def test_an_unknown_channel_is_a_configuration_error_and_retried(settings):
    settings.GRIDGOV_NOTICE_CHANNELS = ["wechat"]
    write()
    assert notify.deliver()["retrying"] == 1
    assert "no sender for the notice channel 'wechat'" in Notice.objects.get().last_error
    with pytest.raises(ImproperlyConfigured):
        notify.sender("wechat")


def test_console_and_log_senders_mask_the_address(capsys, caplog):
    notice = Notice(channel="log", kind="test.hello", address="13912345678", body="您好")
    notify.ConsoleSender().send(notice)
    assert "139****5678" in capsys.readouterr().out
    with caplog.at_level(logging.INFO, logger="gridgov.core.notify"):
        notify.LogSender().send(notice)
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


def test_send_now_reports_a_failure_without_raising(gateway, caplog):
    assert notify.send_now("sms", kind="test.code", address="13912345678", body="123456")
    gateway.failures = 1
    assert not notify.send_now("sms", kind="test.code", address="13912345678", body="654321")
    assert [n.body for n in gateway.sent] == ["123456"]
    assert "sending test.code on sms to 139****5678 failed" in caplog.text


@pytest.mark.django_db
def test_old_notices_are_forgotten_but_waiting_ones_kept(settings):
    settings.GRIDGOV_NOTICE_KEEP_DAYS = 30
    write(), write()
    notify.deliver()
    write()  # still waiting
    Notice.objects.update(created_at=timezone.now() - dt.timedelta(days=31))
    assert notify.forget_old() == 2
    assert Notice.objects.get().sent_at is None


def test_two_deliveries_at_once_send_each_notice_once(live_db, gateway):
    for _ in range(20):
        write()
    results = race(notify.deliver, notify.deliver)
    assert sum(r["sent"] for r in results) == 20
    assert sorted(n.pk for n in gateway.sent) == sorted(Notice.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_admin_shows_the_outbox_with_addresses_masked_and_edits_nothing(root, client):
    from django.urls import reverse

    [notice] = write()
    listing = client.get(reverse("admin:core_notice_changelist")).content.decode()
    page = client.get(reverse("admin:core_notice_change", args=[notice.pk])).content.decode()
    for html in (listing, page):
        assert "139****5678" in html and "13912345678" not in html
    assert client.post(reverse("admin:core_notice_delete", args=[notice.pk]),
                       {"post": "yes"}).status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()
