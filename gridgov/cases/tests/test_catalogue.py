from collections import Counter

import pytest
from django.core.management import call_command

from gridgov.cases import catalogue
from gridgov.cases.models import Category, CategoryKind, TimeLimitClass
from gridgov.core.models import AuditEntry
from gridgov.grids.models import DepartmentKind

pytestmark = pytest.mark.django_db

COMPONENT_MAJORS = {"公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他设施"}
EVENT_MAJORS = {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "其他事件"}
DAYS = {"consultation": 1, "urging": 3, "ordinary": 5, "complex": 15}


def test_the_shipped_catalogue_is_complete_and_consistent():
    entries = catalogue.entries()
    assert len(entries) >= 60
    majors = {kind: {e["major_name"] for e in entries if e["kind"] == kind} for kind in CategoryKind.values}
    assert majors[CategoryKind.COMPONENT] == COMPONENT_MAJORS
    assert majors[CategoryKind.EVENT] == EVENT_MAJORS
    codes = Counter((e["kind"], e["major_code"], e["minor_code"]) for e in entries)
    assert max(codes.values()) == 1
    # One 大类 name per code, within each kind.
    for kind in CategoryKind.values:
        names = {}
        for e in entries:
            if e["kind"] == kind:
                assert names.setdefault(e["major_code"], e["major_name"]) == e["major_name"]
    for e in entries:
        assert len(e["major_code"]) == len(e["minor_code"]) == 2 and (e["major_code"] + e["minor_code"]).isdigit()
        assert e["department_kind"] in DepartmentKind.values
        assert e["time_limit_class"] in TimeLimitClass.values
        assert e["plain_name"] and e["keywords"]
        if e["time_limit_class"] == "urgent":
            assert e["time_limit_hours"] and e["urgency"] == "urgent"
        else:
            assert e["time_limit_days"] == DAYS[e["time_limit_class"]]


@pytest.mark.parametrize("word", ["占道经营", "暴露垃圾", "共享单车", "外卖", "群租", "违法搭建", "井盖",
                                  "路灯", "绿化", "噪声", "油烟", "跨门营业"])
def test_the_problems_of_the_street_are_covered(word):
    assert any(word in e["name"] or word in e["keywords"] for e in catalogue.entries())


def test_load_catalogue_is_idempotent_and_keeps_the_towns_edits():
    call_command("load_catalogue")
    total = Category.objects.count()
    assert total == len(catalogue.entries())
    stall = Category.objects.get(kind="event", name="占道经营")
    stall.time_limit_days = 2
    stall.plain_name = "门口摆摊"
    stall.save()

    call_command("load_catalogue")
    assert Category.objects.count() == total
    stall.refresh_from_db()
    assert (stall.time_limit_days, stall.plain_name) == (2, "门口摆摊")
    assert AuditEntry.objects.filter(action="cases.catalogue.loaded").count() == 1

    call_command("load_catalogue", "--reset")
    stall.refresh_from_db()
    assert (stall.time_limit_days, stall.plain_name) == (3, "在人行道、路口摆摊")
