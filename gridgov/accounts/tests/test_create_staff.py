import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts.models import User
from gridgov.grids.tests.factories import UserFactory
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def create_staff(*args, stdin=""):
    out = io.StringIO()
    call_command("create_staff", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


def test_creates_a_user_with_a_role_in_a_scope_named_by_name(client, department):
    output = create_staff("13800000021", "滕艳琴", "handler", "department", "新泾综合行政执法队",
                          "--password-stdin", stdin="long-enough-pass-7\n")

    user = User.objects.by_phone("13800000021").get()
    assert user.name == "滕艳琴"
    assert list(user.role_assignments.values_list("role", "scope_kind", "scope_id")) == [
        ("handler", "department", department.pk)]
    assert "138****0021" in output and "13800000021" not in output
    assert client.post("/accounts/login/", {"phone": "13800000021",
                                            "password": "long-enough-pass-7"}).status_code == 302


def test_scope_may_be_given_by_id_and_password_left_out(town):
    create_staff("13800000022", "蒋丽萍", "leader", "town", str(town.pk))

    user = User.objects.by_phone("13800000022").get()
    assert user.role_assignments.get().scope_id == town.pk
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action="accounts.role.assigned").count() == 1


def test_unknown_scope_name_creates_nothing(town):
    with pytest.raises(CommandError, match="找不到名为“新泾派出所”的部门"):
        create_staff("13800000023", "某某", "handler", "department", "新泾派出所")

    assert not User.objects.by_phone("13800000023").exists()


def test_role_in_the_wrong_kind_of_scope_creates_nothing(town):
    with pytest.raises(CommandError, match="该角色不能授予此类范围"):
        create_staff("13800000024", "某某", "handler", "town", "新泾镇")

    assert not User.objects.by_phone("13800000024").exists()


def test_missing_scope_id_creates_nothing(town):
    with pytest.raises(CommandError, match="授权范围不存在"):
        create_staff("13800000025", "某某", "leader", "town", "987654")

    assert not User.objects.by_phone("13800000025").exists()


def test_weak_password_is_refused(town):
    with pytest.raises(CommandError, match="密码只包含数字"):
        create_staff("13800000026", "某某", "leader", "town", "新泾镇", "--password-stdin",
                     stdin="12345678\n")

    assert not User.objects.by_phone("13800000026").exists()


def test_existing_user_keeps_name_and_password_and_gains_the_role(town):
    existing = UserFactory(phone="13800000027", name="夏秀宾")
    password_hash = existing.password

    output = create_staff("13800000027", "别的名字", "operator", "town", "新泾镇")

    existing.refresh_from_db()
    assert (existing.name, existing.password) == ("夏秀宾", password_hash)
    assert existing.role_assignments.get().role == "operator"
    assert "已存在" in output


def test_malformed_phone_is_refused(town):
    with pytest.raises(CommandError, match="请输入11位手机号码"):
        create_staff("12345", "某某", "leader", "town", "新泾镇")


@pytest.mark.parametrize("password", ["Xinjing-9", "1234567890123", "password1234"])
def test_a_password_the_rules_refuse_creates_no_account(town, password):
    # Ten characters at least, not all digits, not a common password.
    with pytest.raises(CommandError):
        create_staff("13800000023", "蒋丽萍", "leader", "town", str(town.pk), "--password-stdin",
                     stdin=password + "\n")
    assert not User.objects.by_phone("13800000023").exists()
