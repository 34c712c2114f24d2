"""The catalogue's Chinese search through its indexes (gridgov/services/search.py): the same
items in the same order as a plain scan of every item's text, on SQLite and PostgreSQL, with the
indexes kept in step when an item is added, edited or deleted."""

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.services import search as catalogue_search
from gridgov.services.models import ServiceItem


def scanned(town, text: str) -> list[str]:
    """What the search answered before it had indexes: every term a substring of the lower-cased
    text, names holding every term first, then by code."""
    words = [w.lower() for w in text.split()][:5]
    items = [i for i in ServiceItem.objects.filter(town=town)
             if all(w in i.search_text for w in words)]
    items.sort(key=lambda i: (0 if all(w in i.name for w in words) else 1, i.code))
    return [i.name for i in items]


def searched(town, text: str) -> list[str]:
    return list(ServiceItem.objects.filter(town=town).search(text).values_list("name", flat=True))


def paged(town, text: str) -> tuple[int, list[str]]:
    total, rows = ServiceItem.objects.filter(town=town).search_page(text, 0, 200)
    return total, [row.name for row in rows]


QUERIES = [
    "外卖", "骑手", "充电", "换电", "党建",         # two-character words, also inside longer ones
    "骑手驿站", "健康体检", "政策申报辅导",          # three characters or more
    "驿站 休息", "骑手 充电", "充电 安全检查",        # two terms, both must match
    "火箭", "火箭发射场", "骑手 火箭",              # no match
    "骑", "电 安全",                              # one character: a plain scan, bounded by the town
    "RIDER", "50%", "a_b", '"驿站"', "，。",       # case, LIKE's and FTS's own characters, punctuation
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_indexed_search_finds_what_a_scan_finds_in_the_same_order(world, query):
    expected = scanned(world.town, query)
    assert searched(world.town, query) == expected
    assert paged(world.town, query) == (len(expected), expected)


def test_the_common_words_find_the_sample_items(world):
    assert {"骑手驿站休息", "外卖骑手健康体检"} <= set(searched(world.town, "骑手"))
    assert searched(world.town, "驿站 休息") == ["骑手驿站休息"]
    assert searched(world.town, "火箭") == []


def new_item(world, name: str, **fields) -> ServiceItem:
    return ServiceItem.objects.create(town=world.town, category=world.item.category,
                                      code=f"T{ServiceItem.objects.count():04d}", name=name,
                                      **fields)


def test_an_item_added_edited_and_deleted_is_found_as_it_is_now(world):
    item = new_item(world, "无人机航拍培训", description="为楼宇企业提供低空经济政策咨询")
    for query in ("无人机", "航拍", "低空经济", "低空 咨询"):
        assert searched(world.town, query) == scanned(world.town, query) == ["无人机航拍培训"]

    item.name, item.description = "智能充电柜维护", "为骑手提供换电柜巡检"
    item.save()
    assert searched(world.town, "无人机") == searched(world.town, "航拍") == []
    assert searched(world.town, "低空 咨询") == []
    assert "智能充电柜维护" in searched(world.town, "充电")
    assert searched(world.town, "充电柜") == ["智能充电柜维护"]
    assert searched(world.town, "换电柜 巡检") == ["智能充电柜维护"]

    item.delete()
    assert searched(world.town, "充电柜") == searched(world.town, "巡检") == []
    for query in ("充电", "骑手 充电"):
        assert searched(world.town, query) == scanned(world.town, query)


def test_a_bulk_import_is_indexed_too(world):
    made = ServiceItem(town=world.town, category=world.item.category, code="T9999",
                       name="夜间食堂", description="外卖骑手夜间就餐优惠")
    made.search_text = made.build_search_text()
    ServiceItem.objects.bulk_create([made])
    assert searched(world.town, "夜间食堂") == ["夜间食堂"]
    assert searched(world.town, "就餐") == ["夜间食堂"]


def test_the_search_asks_the_indexes(world):
    # All towns' items: the few of one town would be read through the town's index.
    sql, params = ServiceItem.objects.search("骑手 政策申报").query.sql_with_params()
    if connection.vendor == "sqlite":
        # One MATCH per FTS table: the pairs for 骑手, the trigrams for 政策申报.
        assert "services_serviceitem_pairs MATCH" in sql
        assert "services_serviceitem_fts MATCH" in sql
        assert '"骑手"' in params and '"政策申报"' in params
        return
    with connection.cursor() as cursor:
        # Few rows would be read by a sequential scan; forbid it to see what the indexes do.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "services_serviceitem_pairs_gin" in plan or "services_serviceitem_search_trgm" in plan


def test_a_one_character_term_asks_no_index(world):
    sql, _params = ServiceItem.objects.filter(town=world.town).search("骑").query.sql_with_params()
    assert "MATCH" not in sql and "gridgov_pairs" not in sql and "LIKE" not in sql


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="SQLite loses a table's triggers when a migration rebuilds it")
def test_the_indexes_survive_later_migrations(world):
    with connection.cursor() as cursor:
        for kind in ("fts", "pairs"):
            for change in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER services_serviceitem_{kind}_{change}")
    new_item(world, "围墙彩绘志愿活动")
    assert searched(world.town, "围墙彩绘") == searched(world.town, "彩绘") == []
    call_command("migrate", verbosity=0)
    assert searched(world.town, "围墙彩绘") == searched(world.town, "彩绘") == ["围墙彩绘志愿活动"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_the_indexes_are_in_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s",
                       [catalogue_search.TABLE])
        names = {row[0] for row in cursor.fetchall()}
    assert {"services_serviceitem_search_trgm", "services_serviceitem_pairs_gin"} <= names
