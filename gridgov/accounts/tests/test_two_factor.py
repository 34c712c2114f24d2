"""Two factors for town-wide staff: after the password (or SMS code), a code from an
authenticator app, enrolled on first use with recovery codes; idle staff sessions expire."""

import re
import time

import pyotp
import pytest
from django.urls import reverse

from gridgov.accounts.models import TwoFactor
from gridgov.accounts.roles import Role
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import PASSWORD, GridFactory, TownFactory, UserFactory, staff

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:second_factor")
ME = reverse("accounts:my_account")


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def town(db):
    return TownFactory()


@pytest.fixture
def operator(town):
    return staff(Role.OPERATOR, town, phone="13912345678")


def sign_in(client, phone="13912345678"):
    return client.post(LOGIN, {"phone": phone, "password": PASSWORD, "next": ME})


def code_for(secret, moment=None):
    return pyotp.TOTP(secret).at(int(moment if moment is not None else time.time()))


def enrol(client, operator):
    sign_in(client)
    page = client.get(SECOND)
    secret = client.session["gridgov_second_factor"]["secret"]
    response = client.post(SECOND, {"code": code_for(secret), "next": ME})
    return page, response, secret


def test_a_town_wide_operator_is_asked_for_a_second_factor_and_enrols(client, operator, at_noon):
    first = sign_in(client)

    assert first.status_code == 302 and first.url.startswith(SECOND)
    assert "_auth_user_id" not in client.session
    page, response, secret = enrol(client, operator)
    assert "<svg" in page.content.decode()
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.content.decode()

    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert TwoFactor.objects.get(user=operator).secret == secret
    assert AuditEntry.objects.filter(action="accounts.two_factor.enrolled").count() == 1
    assert AuditEntry.objects.get(action="accounts.login.succeeded").changes == {
        "method": "password+totp"}


def test_a_wrong_code_does_not_enrol(client, operator):
    sign_in(client)
    client.get(SECOND)

    response = client.post(SECOND, {"code": "000000"})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not TwoFactor.objects.exists()


def test_an_enrolled_operator_needs_a_fresh_code_each_time(client, operator, at_noon):
    _page, _response, secret = enrol(client, operator)
    client.logout()
    at_noon.shift(30)

    sign_in(client)
    assert client.post(SECOND, {"code": "123456"}).status_code == 400
    assert "_auth_user_id" not in client.session
    code = code_for(secret)
    assert client.post(SECOND, {"code": code, "next": ME}).status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)
    client.logout()

    sign_in(client)
    replayed = client.post(SECOND, {"code": code})
    assert replayed.status_code == 400  # the same code, within its 30 seconds: used already


def test_a_recovery_code_works_once(client, operator):
    _page, response, _secret = enrol(client, operator)
    recovery = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())[0]
    client.logout()

    sign_in(client)
    assert client.post(SECOND, {"code": recovery.upper(), "next": ME}).status_code == 302
    client.logout()
    sign_in(client)
    assert client.post(SECOND, {"code": recovery}).status_code == 400


def test_guessing_codes_meets_the_log_in_throttle(client, operator, settings):
    enrol(client, operator)
    client.logout()
    sign_in(client)

    statuses = [client.post(SECOND, {"code": f"{n:06d}"}).status_code
                for n in range(settings.LOGIN_MAX_FAILURES + 1)]

    assert statuses[-1] == 429
    assert "_auth_user_id" not in client.session


def test_the_second_step_needs_a_first_one_that_has_not_expired(client, operator, at_noon):
    assert client.get(SECOND).url == LOGIN
    sign_in(client)
    at_noon.shift(301)

    assert client.get(SECOND).url == LOGIN


@pytest.mark.parametrize("role_in_scope", ["grid_staff", "community_operator", "resident"])
def test_staff_without_a_town_wide_role_sign_in_with_one_factor(client, town, role_in_scope):
    phone = "13900001111"
    if role_in_scope == "grid_staff":
        staff(Role.GRID_STAFF, GridFactory(community__town=town), phone=phone)
    elif role_in_scope == "community_operator":
        staff(Role.OPERATOR, GridFactory(community__town=town).community, phone=phone)
    else:
        UserFactory(phone=phone)

    assert sign_in(client, phone).url == ME
    assert "_auth_user_id" in client.session


def test_the_demo_signs_in_with_one_factor(client, operator, settings):
    settings.TWO_FACTOR_REQUIRED = False

    assert sign_in(client).url == ME


def test_an_idle_staff_session_expires_and_a_residents_does_not(client, operator, at_noon,
                                                               settings):
    resident = UserFactory()
    for user, kept in ((operator, False), (resident, True)):
        client.force_login(user)
        assert client.get(ME).status_code == 200
        at_noon.shift(settings.STAFF_IDLE_SECONDS - 10)
        assert client.get(ME).status_code == 200  # activity keeps it going
        at_noon.shift(settings.STAFF_IDLE_SECONDS + 1)

        assert (client.get(ME).status_code == 200) is kept
        client.logout()


def test_the_admin_sites_own_log_in_form_leads_to_the_platforms(client, operator):
    shown = client.get("/admin/login/?next=/admin/grids/")
    posted = client.post("/admin/login/", {"username": "13912345678", "password": PASSWORD})

    assert shown.status_code == 302 and shown.url == f"{LOGIN}?next=/admin/grids/"
    assert posted.status_code == 302 and posted.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_an_admin_resets_a_lost_authenticator_only_for_accounts_they_manage(client, operator,
                                                                           town):
    from django.contrib.auth.models import Permission

    enrol(client, operator)
    other = staff(Role.OPERATOR, TownFactory(name="外镇", code="099"))
    TwoFactor.objects.create(user=other, secret=pyotp.random_base32())
    admin_user = staff(Role.ADMIN, town, is_staff=True)
    admin_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(admin_user)

    client.post(reverse("admin:accounts_user_changelist"), {
        "action": "reset_two_factor", "_selected_action": [operator.pk, other.pk]})

    assert list(TwoFactor.objects.values_list("user", flat=True)) == [other.pk]
    assert AuditEntry.objects.filter(action="accounts.two_factor.reset").count() == 1
