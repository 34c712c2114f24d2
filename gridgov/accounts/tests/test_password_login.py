import pytest
from django.urls import reverse

from gridgov.grids.tests.factories import PASSWORD, UserFactory
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def test_right_password_signs_in_and_audits_success(client, user):
    response = client.post(LOGIN, {"phone": "139 1234 5678", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.actor_id == user.pk
    assert entry.object_id == str(user.pk)
    assert entry.changes == {"method": "password"}


def test_wrong_password_is_refused_in_chinese_and_audited_with_masked_phone(client, user):
    response = client.post(LOGIN, {"phone": "13912345678", "password": "not-the-password"})

    assert response.status_code == 400
    assert response.content.decode().count("手机号或密码不正确") == 1
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.actor_id is None
    assert entry.changes == {"account": "139****5678", "method": "password"}
    assert "13912345678" not in str(entry.changes) + entry.object_label + entry.actor_label
    assert not AuditEntry.objects.filter(action="accounts.login.succeeded").exists()


def test_unknown_number_gets_the_same_answer_as_a_wrong_password(client, user):
    response = client.post(LOGIN, {"phone": "13700000000", "password": PASSWORD})

    assert response.status_code == 400
    assert "手机号或密码不正确" in response.content.decode()
    assert AuditEntry.objects.get(action="accounts.login.failed").changes["account"] == "137****0000"


def test_inactive_user_cannot_sign_in_with_the_right_password(client):
    UserFactory(phone="13911112222", is_active=False)

    response = client.post(LOGIN, {"phone": "13911112222", "password": PASSWORD})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_malformed_phone_is_refused_by_the_form_in_chinese(client):
    response = client.post(LOGIN, {"phone": "12345", "password": PASSWORD})

    assert response.status_code == 400
    assert "请输入11位手机号码" in response.content.decode()


def test_login_page_renders_for_anonymous_visitor(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert "密码登录" in response.content.decode()


@pytest.mark.parametrize("target", [
    "https://evil.example/steal",
    "//evil.example/steal",
    "http:\\\\evil.example",
    "javascript:alert(1)",
])
def test_next_pointing_off_site_is_ignored(client, user, target):
    page = client.get(LOGIN, {"next": target})
    assert "evil.example" not in page.content.decode()
    assert "javascript:" not in page.content.decode()

    response = client.post(LOGIN, {"phone": "13912345678", "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_on_this_site_is_followed(client, user):
    response = client.post(LOGIN, {"phone": "13912345678", "password": PASSWORD,
                                   "next": "/grids/?community=2"})

    assert response.status_code == 302
    assert response["Location"] == "/grids/?community=2"


def test_logout_needs_post_and_ends_the_session(client, user):
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
