"""reindex_pii: after a key rotation, old rows are found by number again and move to the new key."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.accounts.models import User
from gridgov.cases.tests.factories import CaseFactory
from gridgov.core import pii
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def stored(table: str, columns: str, pk) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def decrypts_under(key: str, token: str, settings) -> bool:
    saved, settings.PII_KEY = settings.PII_KEY, key
    try:
        pii.decrypt(token)
        return True
    except ValueError:
        return False
    finally:
        settings.PII_KEY = saved


def reindex(**options) -> str:
    out = io.StringIO()
    call_command("reindex_pii", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def written_under_a(settings):
    settings.PII_KEY = "key-A"
    users = [UserFactory(phone="13800000001", id_number=ID_NUMBER),
             UserFactory(phone="13800000002"), UserFactory(phone="13800000003")]
    case = CaseFactory(reporter_phone="13912345678")
    return users, case


def test_after_a_rotation_old_rows_are_found_by_phone_again_and_move_to_the_new_key(
        settings, written_under_a):
    users, case = written_under_a
    settings.PII_KEY = "key-B,key-A"
    # The rotation's gap: every row still decrypts, but nobody is found by number.
    assert User.objects.get(pk=users[0].pk).phone == "13800000001"
    assert not User.objects.by_phone("13800000001").exists()

    output = reindex(batch_size=2)  # several chunks

    for user, phone in zip(users, ["13800000001", "13800000002", "13800000003"]):
        assert User.objects.by_phone(phone).get() == user
        token, index = stored("accounts_user", "phone, phone_index", user.pk)
        assert decrypts_under("key-B", token, settings)
        assert not decrypts_under("key-A", token, settings)
        assert index == pii.blind_index(phone)
    id_token, id_index = stored("accounts_user", "id_number, id_number_index", users[0].pk)
    assert decrypts_under("key-B", id_token, settings)
    assert id_index == pii.blind_index(ID_NUMBER)
    assert User.objects.get(pk=users[0].pk).id_number == ID_NUMBER
    (case_token,) = stored("cases_case", "reporter_phone", case.pk)
    assert decrypts_under("key-B", case_token, settings)
    assert "accounts.user: 3 rows read, 3 rewritten (done)" in output
    assert "cases.case: 1 rows read, 1 rewritten (done)" in output

    entry = AuditEntry.objects.get(action="core.pii.reindexed")
    assert entry.changes["completed"] is True
    assert entry.changes["models"]["accounts.user"]["updated"] == 3
    logged = json.dumps(entry.changes) + entry.object_label
    assert "138000" not in logged and "13912345678" not in logged and ID_NUMBER not in logged


def test_running_again_changes_nothing(settings, written_under_a):
    users, case = written_under_a
    settings.PII_KEY = "key-B,key-A"
    reindex()
    before = [stored("accounts_user", "phone, phone_index, id_number, id_number_index", u.pk)
              for u in users] + [stored("cases_case", "reporter_phone", case.pk)]

    output = reindex(batch_size=1)

    after = [stored("accounts_user", "phone, phone_index, id_number, id_number_index", u.pk)
             for u in users] + [stored("cases_case", "reporter_phone", case.pk)]
    assert after == before
    assert "accounts.user: 3 rows read, 0 rewritten (done)" in output
    assert AuditEntry.objects.filter(action="core.pii.reindexed").count() == 2


def test_a_stopped_run_resumes_after_the_last_key_it_reported(settings, written_under_a):
    users, _ = written_under_a
    settings.PII_KEY = "key-B,key-A"
    output = reindex(model=["accounts.user"], after=users[0].pk)
    assert "accounts.user: 2 rows read, 2 rewritten (done)" in output
    assert "cases.case" not in output
    assert not User.objects.by_phone("13800000001").exists()
    assert User.objects.by_phone("13800000002").get() == users[1]


def test_an_index_under_no_configured_key_is_left_alone_and_reported(settings, written_under_a):
    users, _ = written_under_a
    User.objects.filter(pk=users[1].pk).update(phone_index="0" * 64)
    settings.PII_KEY = "key-B,key-A"

    with pytest.raises(CommandError, match="1 rows were left"):
        reindex()

    assert stored("accounts_user", "phone_index", users[1].pk) == ("0" * 64,)
    assert User.objects.by_phone("13800000001").get() == users[0]
    entry = AuditEntry.objects.get(action="core.pii.reindexed")
    assert entry.changes["models"]["accounts.user"]["unrecognised_index"] == 1


def test_models_are_found_by_their_encrypted_fields():
    from gridgov.core.management.commands.reindex_pii import encrypted_models

    found = {model._meta.label_lower: [(f.name, i.name if i else None) for f, i in pairs]
             for model, pairs in encrypted_models()}
    assert found["accounts.user"] == [("phone", "phone_index"), ("id_number", "id_number_index")]
    assert found["cases.case"] == [("reporter_phone", None)]
