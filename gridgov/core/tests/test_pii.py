import pytest
from django.db import connection

from gridgov.core import pii


def test_masks_keep_only_what_identifies_nobody():
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_id_number("310105199001011234") == "310105********1234"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳小明") == "欧**明"
    assert pii.mask_address("新泾镇新渔东路100弄5号302室") == "新泾镇新渔东路*弄*号*室"


def test_id_number_check_character():
    assert pii.is_valid_id_number("11010519491231002X")
    assert not pii.is_valid_id_number("110105194912310021")
    assert not pii.is_valid_id_number("12345")


def test_blind_index_is_stable_and_keyed(settings):
    first = pii.blind_index("13812345678")
    assert first == pii.blind_index("13812345678")
    assert first != pii.blind_index("13812345679")
    settings.PII_KEY = "another-key"
    assert pii.blind_index("13812345678") != first


@pytest.mark.django_db
def test_phone_is_encrypted_at_rest(django_user_model):
    user = django_user_model.objects.create_user("13812345678", "pw-Xinjing-2025", name="夏秀宾")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        stored_phone, stored_index = cursor.fetchone()
    assert "13812345678" not in stored_phone
    assert stored_index == pii.blind_index("13812345678")
    assert django_user_model.objects.get(pk=user.pk).phone == "13812345678"
    assert django_user_model.objects.by_phone("138 1234 5678").get() == user
