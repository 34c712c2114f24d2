"""One routine hides phone and ID numbers (and, where a town chooses, licence plates) in text
people typed, before it reaches any public output."""

import pytest

from gridgov.core.pii import mask_free_text

HIDDEN = [
    ("联系13812345678", "联系***"),
    ("联系 138-1234-5678 或 138 1234 5678", "联系 *** 或 ***"),
    ("电话+86 138 1234 5678", "电话***"),
    ("电话＋86－138－1234－5678", "电话***"),
    ("电话 0086 13812345678", "电话 ***"),
    ("手机１３８１２３４５６７８", "手机***"),
    ("打 138.1234.5678", "打 ***"),
    ("座机021-62345678", "座机***"),
    ("座机 (021) 6234 5678", "座机 ***"),
    ("座机（021）6234-5678", "座机***"),
    ("座机0571－8888　6666", "座机***"),
    ("身份证310105199001011234", "身份证***"),
    ("身份证 31010519900101123X 请核实", "身份证 *** 请核实"),
    ("身份证 310105 19900101 123x", "身份证 ***"),
    ("卡号6222020200112233445", "卡号***"),
    ("旧号码 6234567", "旧号码 ***"),
]
KEPT = [
    "新渔东路88号3楼，2026年11月23日起路灯不亮",
    "已有3户反映，约20平方米",
    "第四网格 12 号楼",
    "2025-2026年度项目",
    "",
]


@pytest.mark.parametrize("typed, published", HIDDEN)
def test_numbers_in_any_shape_are_hidden(typed, published):
    assert mask_free_text(typed) == published


@pytest.mark.parametrize("typed", KEPT)
def test_ordinary_numbers_are_kept(typed):
    assert mask_free_text(typed) == typed


@pytest.mark.parametrize("typed, published", [
    ("车牌沪A12345占道", "车牌***占道"),
    ("沪A·D12345 停了三天", "*** 停了三天"),
    ("苏E12345挂", "***"),
])
def test_licence_plates_are_hidden_where_the_town_chooses(typed, published, settings):
    assert mask_free_text(typed, plates=True) == published
    assert mask_free_text(typed, plates=False) == typed
    settings.PII_MASK_PLATES = True
    assert mask_free_text(typed) == published
