import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.cases.models import Case
from gridgov.cases.search import INDEXES, PAIRS, TRIGRAMS, catch_up, pairs, search
from gridgov.cases.tests.factories import CaseFactory
from gridgov.grids.tests.factories import GridFactory
from gridgov.services import search as service_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    """Four cases in the search indexes (on SQLite read in from their backlogs, as the periodic
    task does)."""
    grid = GridFactory()
    made = {
        "manhole": CaseFactory(grid=grid, description="路边井盖破损，行人容易踩空", address="新泾路100号"),
        "rubbish": CaseFactory(grid=grid, description="小区门口垃圾堆放三天无人清运", address="天山西路5号"),
        "stall": CaseFactory(grid=grid, description="早上有人占道经营卖菜", address="淞虹路地铁站出口"),
        "sign": CaseFactory(grid=grid, description="Shop SIGN 50% 倾斜", address="北渔路_1号"),
    }
    catch_up()
    return made


def found(text):
    return set(search(Case.objects.all(), text).values_list("description", flat=True))


def test_three_characters_or_more_match_inside_words(cases):
    assert found("井盖破") == {cases["manhole"].description}
    assert found("无人清运") == {cases["rubbish"].description}


def test_one_and_two_characters_match_inside_words(cases):
    assert found("井盖") == {cases["manhole"].description}
    assert found("垃圾") == {cases["rubbish"].description}
    assert found("卖菜") == {cases["stall"].description}
    assert found("地震") == set()
    assert found("菜") == {cases["stall"].description}


def test_pairs_are_cut_at_spaces_and_punctuation():
    assert pairs("井盖破损，急", "Shop A1") == "a1 ho op sh 井盖 盖破 破损"
    assert pairs("，。", "") == ""


def _pair_index_plan(term):
    """The SQL that answered a two-character term: the pair index named, the cases by id."""
    with CaptureQueriesContext(connection) as queries:
        sql, params = search(Case.objects.all(), term).query.sql_with_params()
    return [q["sql"] for q in queries.captured_queries], sql, params


def test_two_characters_are_answered_by_the_pair_index(cases):
    index_queries, sql, params = _pair_index_plan("垃圾")
    if connection.vendor == "sqlite":
        # The FTS table of pairs names the few cases that match; the list fetches them by id.
        assert len(index_queries) == 1 and "cases_case_pairs" in index_queries[0]
        assert cases["rubbish"].pk in params and "LIKE" not in sql
    else:
        # The list asks the pair index itself; the planner weighs it by its statistics.
        assert index_queries == [] and "gridgov_pairs" in sql and "strpos" not in sql


def test_a_two_character_term_too_common_for_the_id_list_is_compared_row_by_row(cases,
                                                                                 monkeypatch):
    monkeypatch.setattr("gridgov.cases.search.RARE_MATCHES", 1)
    CaseFactory(description="垃圾满了")
    assert found("垃圾") == {cases["rubbish"].description, "垃圾满了"}
    if connection.vendor == "sqlite":
        _queries, sql, _params = _pair_index_plan("垃圾")
        assert "LIKE" in sql


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the GIN index on gridgov_pairs() is PostgreSQL's; SQLite has an FTS table")
def test_the_pair_index_is_used_by_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM cases_case "
                       "WHERE gridgov_pairs(description, address) @> gridgov_pairs('垃圾', '')")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "cases_case_pairs_gin" in plan


def test_address_is_searched_too(cases):
    assert found("地铁站") == {cases["stall"].description}
    assert found("天山") == {cases["rubbish"].description}


def test_every_term_must_match(cases):
    assert found("垃圾 天山西路") == {cases["rubbish"].description}
    assert found("垃圾 新泾路") == set()


def test_latin_letters_ignore_case(cases):
    assert found("sign") == {cases["sign"].description}
    assert found("shop sign") == {cases["sign"].description}


def test_wildcards_and_quotes_are_plain_characters(cases):
    assert found("50%") == {cases["sign"].description}
    assert found("%") == {cases["sign"].description}
    assert found("_") == {cases["sign"].description}
    assert found('"井盖"') == set()
    assert found("路_1") == {cases["sign"].description}


def test_case_number_is_found(cases):
    number = cases["stall"].number
    assert set(search(Case.objects.all(), number.lower())) == {cases["stall"]}


def test_blank_query_leaves_the_queryset_alone(cases):
    assert search(Case.objects.all(), "  ").count() == 4


def test_index_follows_edits_and_deletions(cases):
    manhole = cases["manhole"]
    Case.objects.filter(pk=manhole.pk).update(description="路灯不亮已经一周")
    assert found("路灯不亮") == found("路灯") == {"路灯不亮已经一周"}
    assert found("井盖破") == found("井盖") == set()
    Case.objects.filter(pk=manhole.pk).delete()
    assert found("路灯不亮") == found("路灯") == set()


def test_long_terms_are_answered_by_the_trigram_index(cases):
    if connection.vendor == "sqlite":
        # The FTS table names the few cases that match; the list query fetches them by id.
        with CaptureQueriesContext(connection) as queries:
            sql, params = search(Case.objects.all(), "井盖破").query.sql_with_params()
        assert ["cases_case_fts" in q["sql"] and "MATCH" in q["sql"]
                for q in queries.captured_queries] == [True]
        assert "cases_case_fts" not in sql and cases["manhole"].pk in params
        return
    sql, params = search(Case.objects.all(), "井盖破").query.sql_with_params()
    with connection.cursor() as cursor:
        # A few rows would be read by a sequential scan; forbid it to see what the index does.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        assert "cases_case_description_trgm" in plan and "cases_case_address_trgm" in plan


def test_a_term_too_common_for_the_id_list_is_compared_row_by_row(cases, monkeypatch):
    monkeypatch.setattr("gridgov.cases.search.RARE_MATCHES", 1)
    for number in range(2):
        CaseFactory(description=f"第{number}处垃圾堆放无人清运")
    assert found("无人清运") == {cases["rubbish"].description, "第0处垃圾堆放无人清运",
                             "第1处垃圾堆放无人清运"}
    assert found("井盖破") == {cases["manhole"].description}


def _indexed(index, term) -> set[int]:
    """The ids an FTS table itself answers for a term, its backlog aside."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {index.sqlite_table} WHERE {index.sqlite_table} "
                       "MATCH %s", [f'"{term}"'])
        return {row[0] for row in cursor.fetchall()}


def _backlog(index) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {index.sqlite_backlog}")
        return {row[0] for row in cursor.fetchall()}


def _check_integrity() -> None:
    """FTS5's own check of the trigram index against the cases' text (external content): it
    holds every case's text once the backlog is read in."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cases_case_fts(cases_case_fts, rank) VALUES ('integrity-check', 1)")


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="PostgreSQL's indexes are the database's own, filled as rows are written")
def test_a_new_case_waits_in_the_backlog_and_is_found_meanwhile(cases):
    case = CaseFactory(description="楼道里堆满纸箱，堵住消防通道", address="仙霞西路88弄")
    for index in INDEXES:
        assert _backlog(index) == {case.pk}
    assert _indexed(TRIGRAMS, "消防通道") == _indexed(PAIRS, "纸箱") == set()
    # Found the moment it is committed: the backlog's rows are compared as the index answers.
    assert found("消防通道") == found("纸箱") == found("仙霞") == {case.description}
    assert found("井盖") == {cases["manhole"].description}

    assert catch_up() == "2 rows indexed"  # one case, in each of the two indexes
    for index in INDEXES:
        assert _backlog(index) == set()
    assert _indexed(TRIGRAMS, "消防通道") == _indexed(PAIRS, "纸箱") == {case.pk}
    assert found("消防通道") == found("纸箱") == {case.description}
    assert catch_up() == "0 rows indexed"
    _check_integrity()


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="PostgreSQL's indexes are the database's own, filled as rows are written")
def test_edits_and_deletions_in_the_backlog_leave_the_index_right(cases):
    edited = CaseFactory(description="路灯不亮")
    deleted = CaseFactory(description="窨井盖缺失")
    Case.objects.filter(pk=edited.pk).update(description="路灯闪烁不停")
    Case.objects.filter(pk=deleted.pk).delete()
    assert found("不亮") == set() and found("闪烁") == {"路灯闪烁不停"}
    assert found("窨井") == set()
    for index in INDEXES:
        assert _backlog(index) == {edited.pk}
    catch_up()
    assert _indexed(PAIRS, "闪烁") == {edited.pk} and _indexed(PAIRS, "不亮") == set()
    assert _indexed(PAIRS, "窨井") == set()
    # Edited and deleted once in the index, they leave it exact too.
    Case.objects.filter(pk=edited.pk).update(description="路灯已修好")
    assert _indexed(PAIRS, "闪烁") == set() and _indexed(PAIRS, "修好") == {edited.pk}
    Case.objects.filter(pk=edited.pk).delete()
    assert _indexed(PAIRS, "修好") == _indexed(TRIGRAMS, "路灯已") == set()
    _check_integrity()


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="PostgreSQL's indexes are the database's own, filled as rows are written")
def test_a_long_backlog_is_read_a_few_rows_a_transaction(cases):
    from gridgov.core import textsearch

    made = [CaseFactory(description=f"第{n}处消防栓漏水") for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert textsearch.catch_up(INDEXES, rows=2) == 10  # five cases, two indexes
    emptied = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE FROM")]
    assert len(emptied) == 6  # three transactions of at most two cases, for each index
    assert _indexed(PAIRS, "漏水") == _indexed(TRIGRAMS, "消防栓") == {case.pk for case in made}
    assert all(_backlog(index) == set() for index in INDEXES)
    _check_integrity()


def test_the_backlog_is_read_by_the_tick():
    case = CaseFactory(description="共享单车乱停放")
    call_command("tick", "--only", "cases.search_index", stdout=io.StringIO())
    assert found("单车") == {case.description}
    if connection.vendor == "sqlite":
        assert _indexed(PAIRS, "单车") == {case.pk}
        assert all(_backlog(index) == set() for index in INDEXES)


def test_the_index_survives_later_migrations():
    if connection.vendor == "sqlite":
        # A later migration that rebuilds cases_case (SQLite's way to alter a column) drops its
        # triggers; the next migrate puts them back and re-reads what they missed.
        with connection.cursor() as cursor:
            for kind in ("fts", "pairs"):
                for change in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER cases_case_{kind}_{change}")
        CaseFactory(description="围墙外乱贴小广告")
        assert found("小广告") == found("广告") == set()
        call_command("migrate", verbosity=0)
        assert found("小广告") == found("广告") == {"围墙外乱贴小广告"}
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_case'")
            names = {row[0] for row in cursor.fetchall()}
        assert {"cases_case_description_trgm", "cases_case_address_trgm",
                "cases_case_pairs_gin"} <= names


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 tables are SQLite's")
def test_the_search_tables_keep_only_what_searches_read(cases):
    """No search ranks (no docsize table) and the pair table is asked single pairs only
    (detail=none); a table made before that is rebuilt by its migration, every case re-read."""
    def tables():
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            return dict(cursor.fetchall())

    made_by_migrate = tables()
    for index in (*INDEXES, *service_search.INDEXES):
        assert f"{index.sqlite_table}_docsize" not in made_by_migrate
    for index in (PAIRS, service_search.PAIRS):
        assert "detail=none" in made_by_migrate[index.sqlite_table]

    with connection.cursor() as cursor:  # the pair table as migration 0011 first made it
        cursor.execute("DROP TABLE cases_case_pairs")
        cursor.execute("CREATE VIRTUAL TABLE cases_case_pairs USING fts5(pairs, content='', "
                       "tokenize='unicode61 remove_diacritics 0')")
        assert "cases_case_pairs_docsize" in tables() and found("井盖") == set()
        # What a migration's schema editor offers (SQLite's own refuses to open in a test's
        # transaction).
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        PAIRS.recreate_sqlite_table(None, editor)
        assert "detail=none" in tables()["cases_case_pairs"]
    assert "cases_case_pairs_docsize" not in tables()
    assert found("井盖") == {cases["manhole"].description}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the backlogs and triggers are SQLite's")
def test_migration_0021_goes_back_to_row_by_row_triggers_and_forward_again(cases):
    import importlib

    migration = importlib.import_module("gridgov.cases.migrations.0021_search_indexes_filled_in_batches")
    waiting = CaseFactory(description="电瓶车楼道充电")
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.row_by_row(None, editor)
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%backlog'")
        assert cursor.fetchall() == []
        # The backlog was read in on the way back, and a new case is indexed as it is written.
        new = CaseFactory(description="电瓶车停在消防通道")
        assert _indexed(PAIRS, "电瓶") == {waiting.pk, new.pk}
        assert _indexed(TRIGRAMS, "电瓶车") == {waiting.pk, new.pk}

        migration.batched(None, editor)
        newest = CaseFactory(description="电瓶车乱停")
        assert _backlog(PAIRS) == _backlog(TRIGRAMS) == {newest.pk}
    assert found("电瓶车") == {waiting.description, new.description, newest.description}
    catch_up()
    _check_integrity()
