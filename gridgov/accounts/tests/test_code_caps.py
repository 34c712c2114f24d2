"""Log-in codes: beside one per number per minute, a cap per address each hour and per number
each day, refused with 429 and a clear message; and no codes at all where no SMS sender is set."""

import pytest
from django.urls import reverse

from gridgov.accounts.sms import OutboxSender
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEND = reverse("accounts:send_code")
ADDRESS_CAP = "此网络请求验证码过于频繁，请一小时后再试或使用密码登录"
DAILY_CAP = "该手机号今日获取验证码的次数已达上限，请明天再试或使用密码登录"


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "gridgov.accounts.sms.OutboxSender"
    OutboxSender.outbox.clear()
    yield OutboxSender.outbox
    OutboxSender.outbox.clear()


def send(client, phone, address="10.0.0.1"):
    return client.post(SEND, {"phone": phone}, REMOTE_ADDR=address)


def test_an_address_gets_so_many_codes_an_hour(client, settings, at_noon):
    settings.LOGIN_CODES_PER_ADDRESS = 3
    for n in range(3):
        assert send(client, f"1391234000{n}").status_code == 200

    refused = send(client, "13912340009")

    assert refused.status_code == 429
    assert ADDRESS_CAP in refused.content.decode()
    assert send(client, "13912340009", address="10.0.0.2").status_code == 200
    at_noon.shift(3600)
    assert send(client, "13912340008").status_code == 200


def test_a_number_gets_so_many_codes_a_day_registered_or_not(client, settings, at_noon):
    settings.LOGIN_CODES_PER_PHONE_PER_DAY = 2
    UserFactory(phone="13912345678")
    for phone in ("13912345678", "13912345679"):
        for n in range(2):
            assert send(client, phone, address=f"10.0.{n}.1").status_code == 200
            at_noon.shift(61)

        refused = send(client, phone, address="10.0.9.1")

        assert refused.status_code == 429
        assert DAILY_CAP in refused.content.decode()
    assert AuditEntry.objects.filter(action="accounts.login_code.sent").count() == 2
    at_noon.shift(86400)
    assert send(client, "13912345678").status_code == 200


def test_no_sender_means_no_codes(client, settings, outbox):
    settings.SMS_BACKEND = ""
    UserFactory(phone="13912345678")

    response = send(client, "13912345678")

    assert response.status_code == 400
    assert "本平台未开通短信验证码登录，请使用密码登录" in response.content.decode()
    assert outbox == []
