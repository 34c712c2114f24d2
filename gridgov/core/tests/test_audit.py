import pytest
from django.db import DatabaseError, connection, transaction

from gridgov.core import audit
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_record_writes_dotted_action_with_scrubbed_secrets():
    entry = audit.record(
        "core.test.done", actor=None, changes={"phone": "13812345678", "unit_code": "310105"}
    )
    entry.refresh_from_db()
    assert entry.action == "core.test.done"
    assert entry.changes == {"phone": "***", "unit_code": "310105"}


def test_record_refuses_free_text_action():
    with pytest.raises(ValueError):
        audit.record("Something happened", actor=None)


def test_database_refuses_update_of_audit_entry():
    entry = audit.record("core.test.done", actor=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test.done"


def test_database_refuses_delete_of_audit_entry_even_in_raw_sql():
    entry = audit.record("core.test.done", actor=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
