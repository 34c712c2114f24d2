import pytest
from django.db import DatabaseError, connection, transaction

from gridgov.core import audit
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db

audit.register("core.test.done", "测试用动作")


def test_record_refuses_a_name_no_one_registered():
    with pytest.raises(ValueError, match="not registered"):
        audit.record("core.test.never_registered", actor=None)
    assert not AuditEntry.objects.exists()


def test_a_name_is_registered_once_with_one_meaning():
    audit.register("core.test.done", "测试用动作")  # the same again is harmless
    with pytest.raises(ValueError):
        audit.register("core.test.done", "另一个意思")


def test_names_from_before_the_past_tense_are_still_read():
    from gridgov.cases.workflow import CASE_WORKFLOW  # registers the case workflow's names

    assert CASE_WORKFLOW.name == "cases.case"
    assert audit.meaning("cases.case.dispatched") == "派遣"
    assert audit.meaning("cases.case.dispatch") == "派遣"  # an entry written before
    assert audit.meaning("cases.case.report") == audit.meaning("cases.case.reported") == "上报"
    with pytest.raises(ValueError):
        audit.record("cases.case.dispatch", actor=None)


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


def test_an_actors_entries_are_found_by_one_index_and_the_log_keeps_its_guards():
    # Migration 0010 dropped the index of the actor alone by name, leaving the table (and the
    # triggers that refuse UPDATE and DELETE) as it was.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_auditentry")
    by_columns = [c["columns"] for c in constraints.values() if c["index"]]
    assert ["actor_id"] not in by_columns and ["actor_id", "at"] in by_columns
    entry = audit.record("core.test.done", actor=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test.done"
