import re

import pytest
from django.urls import reverse

from gridgov.accounts.models import OneTimeCode, User
from gridgov.core import pii
from gridgov.grids.tests.factories import UserFactory
from gridgov.core.models import AuditEntry, Notice

pytestmark = pytest.mark.django_db
SEND = reverse("accounts:send_code")
CODE_LOGIN = reverse("accounts:code_login")
PHONE = "13912345678"
SENT_NOTICE = "验证码已发送，请查看短信。"
REFUSED = "验证码不正确或已过期"


class SmsGateway:
    """A plug-in sender, as a town's SMS gateway would be: keeps (phone, message)."""

    sent: list[tuple[str, str]] = []

    def send(self, notice):
        SmsGateway.sent.append((notice.address, notice.body))


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.GRIDGOV_NOTICE_SENDERS = {"sms": f"{__name__}.SmsGateway"}
    settings.GRIDGOV_LOGIN_CODE_CHANNEL = "sms"
    SmsGateway.sent.clear()
    yield SmsGateway.sent
    SmsGateway.sent.clear()


@pytest.fixture
def request_code(client, django_capture_on_commit_callbacks):
    def request_code(phone=PHONE):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SEND, {"phone": phone})
    return request_code


def code_in(message: str) -> str:
    return re.search(r"\d{6}", message).group()


def enter(client, code, phone=PHONE):
    return client.post(CODE_LOGIN, {"phone": phone, "code": code})


def test_code_goes_to_an_active_user_and_signs_them_in_once(client, user, outbox, request_code):
    response = request_code()

    assert response.status_code == 200
    assert SENT_NOTICE in response.content.decode()
    [(phone, message)] = outbox
    assert phone == PHONE
    code = code_in(message)

    assert enter(client, code).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.get(action="accounts.login.succeeded").changes == {
        "method": "sms_code"}

    client.logout()
    assert enter(client, code).status_code == 400


class BrokenGateway:
    def send(self, notice):
        raise ConnectionError("gateway down")


def test_a_failing_gateway_is_logged_and_the_code_is_never_stored(user, request_code, settings,
                                                                  caplog):
    settings.GRIDGOV_NOTICE_SENDERS = {"sms": f"{__name__}.BrokenGateway"}
    response = request_code()
    assert response.status_code == 200 and SENT_NOTICE in response.content.decode()
    assert "sending accounts.login_code on sms to 139****5678 failed" in caplog.text
    assert not Notice.objects.exists()  # a code never waits in the outbox


def test_an_inactive_number_gets_the_same_answer_and_no_message(client, outbox, request_code):
    phone = "13911112222"
    UserFactory(phone=phone, is_active=False)

    response = request_code(phone)

    assert response.status_code == 200
    assert SENT_NOTICE in response.content.decode()
    assert outbox == []
    assert not OneTimeCode.objects.exists()


@pytest.mark.parametrize("phone", [PHONE, "13700000000"])
def test_one_request_per_number_per_minute_registered_or_not(
    user, outbox, request_code, at_noon, phone
):
    request_code(phone)

    at_noon.shift(59)
    second = request_code(phone)
    assert second.status_code == 400
    assert "验证码已发送，请一分钟后再试" in second.content.decode()

    at_noon.shift(2)
    assert request_code(phone).status_code == 200
    assert len(outbox) == 2  # a new number gets codes too: it signs up with one


def test_a_new_code_replaces_the_earlier_one(client, user, outbox, request_code, at_noon,
                                            monkeypatch):
    draws = iter([123456, 654321])
    monkeypatch.setattr("gridgov.accounts.actions.secrets.randbelow", lambda _n: next(draws))
    request_code()
    at_noon.shift(61)
    request_code()
    first, second = (code_in(message) for _phone, message in outbox)
    assert (first, second) == ("123456", "654321")

    assert enter(client, first).status_code == 400
    assert enter(client, second).status_code == 302
    assert OneTimeCode.objects.count() == 1


def test_code_expires(client, user, outbox, request_code, at_noon, settings):
    request_code()
    code = code_in(outbox[0][1])

    at_noon.shift(settings.OTP_TTL_SECONDS + 1)
    response = enter(client, code)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_still_works_just_before_it_expires(client, user, outbox, request_code, at_noon,
                                                 settings):
    request_code()

    at_noon.shift(settings.OTP_TTL_SECONDS - 1)

    assert enter(client, code_in(outbox[0][1])).status_code == 302


def wrong_codes_for(code: str, count: int) -> list[str]:
    return [f"{(int(code) + n) % 10**6:06d}" for n in range(1, count + 1)]


def test_five_wrong_tries_burn_the_code(client, user, outbox, request_code, settings):
    settings.LOGIN_MAX_FAILURES = 100  # so that it is the code that refuses, not the throttle
    request_code()
    code = code_in(outbox[0][1])
    for wrong in wrong_codes_for(code, 5):
        assert enter(client, wrong).status_code == 400

    response = enter(client, code)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.login.failed",
                                     changes__method="code").count() == 6


def test_four_wrong_tries_leave_the_code_usable(client, user, outbox, request_code, settings):
    settings.LOGIN_MAX_FAILURES = 100
    request_code()
    code = code_in(outbox[0][1])
    for wrong in wrong_codes_for(code, 4):
        enter(client, wrong)

    assert enter(client, code).status_code == 302


def test_only_a_hash_of_the_code_is_stored_or_logged(user, outbox, request_code):
    request_code()
    code = code_in(outbox[0][1])

    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert all(code not in str(entry.changes) for entry in AuditEntry.objects.all())
    sent = AuditEntry.objects.get(action="accounts.login_code.sent")
    assert sent.changes == {"account": "139****5678"}


def test_a_code_is_bound_to_its_number(client, user, outbox, request_code):
    other = UserFactory(phone="13900000001")
    request_code()
    code = code_in(outbox[0][1])

    assert enter(client, code, phone="13900000001").status_code == 400
    assert client.session.get("_auth_user_id") != str(other.pk)


def test_code_form_refuses_non_digits_in_chinese(client, user):
    response = enter(client, "12ab56")

    assert response.status_code == 400
    assert "验证码为6位数字" in response.content.decode()


def test_send_code_needs_post(client):
    assert client.get(SEND).status_code == 405


# Beside one per number per minute: a cap per address each hour and per number each day,
# refused with 429 and a clear message; and no codes at all where no SMS sender is set.
ADDRESS_CAP = "此网络请求验证码过于频繁，请一小时后再试或使用密码登录"
DAILY_CAP = "该手机号今日获取验证码的次数已达上限，请明天再试或使用密码登录"


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
    # Two codes a day to each: the registered number, and the new one (it may sign up).
    assert AuditEntry.objects.filter(action="accounts.login_code.sent").count() == 4
    at_noon.shift(86400)
    assert send(client, "13912345678").status_code == 200


def test_no_sender_means_no_codes(client, settings, outbox):
    settings.GRIDGOV_LOGIN_CODE_CHANNEL = ""
    UserFactory(phone="13912345678")

    response = send(client, "13912345678")

    assert response.status_code == 400
    assert "本平台未开通短信验证码登录，请使用密码登录" in response.content.decode()
    assert outbox == []


# ----- signing up with a code (issue 12, item 4) ------------------------------------------------

def test_a_new_number_signs_up_as_a_resident_on_its_first_correct_code(client, outbox,
                                                                        request_code):
    phone = "13700000000"
    response = request_code(phone)
    assert response.status_code == 200 and SENT_NOTICE in response.content.decode()
    [(to, message)] = outbox
    assert to == phone and not User.objects.filter(phone_index=pii.blind_index(phone)).exists()

    response = client.post(CODE_LOGIN, {"phone": phone, "code": code_in(message), "name": "王阿姨"})
    assert response.status_code == 302
    user = User.objects.get(phone_index=pii.blind_index(phone))
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.name == "王阿姨" and not user.has_usable_password() and not user.is_staff
    assert not user.role_assignments.exists()
    assert AuditEntry.objects.filter(action="accounts.user.created", object_id=str(user.pk)).exists()


def test_a_wrong_code_creates_no_account(client, outbox, request_code):
    phone = "13700000000"
    request_code(phone)
    assert enter(client, "000000" if code_in(outbox[0][1]) != "000000" else "111111",
                 phone=phone).status_code == 400
    assert not User.objects.filter(phone_index=pii.blind_index(phone)).exists()


def test_a_new_number_without_a_name_gets_the_plain_one(client, outbox, request_code):
    phone = "13700000001"
    request_code(phone)
    assert enter(client, code_in(outbox[0][1]), phone=phone).status_code == 302
    assert User.objects.get(phone_index=pii.blind_index(phone)).name == "居民"


def test_the_daily_cap_holds_for_new_numbers(client, settings, at_noon, outbox, request_code):
    for _ in range(30):
        request_code("13700000002")
        at_noon.shift(61)
    assert 0 < len(outbox) < 30
