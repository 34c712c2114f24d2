import io
import time

import pytest
import time_machine
from django.core.management import call_command
from django.test import RequestFactory

from gridgov.core import ratelimit
from gridgov.core.models import RateCount
from gridgov.core.ratelimit import Rate

pytestmark = pytest.mark.django_db

HOURLY_3 = Rate("test", 3, 3600)


@pytest.fixture
def clock():
    with time_machine.travel("2025-07-11 12:20:00 +0800", tick=False) as traveller:
        yield traveller


def test_a_key_is_refused_once_its_window_is_used_up_until_the_window_ends(clock):
    checks = [(HOURLY_3, "10.0.0.1")]
    for _ in range(3):
        assert ratelimit.exceeded(checks) is None
        ratelimit.count(checks)

    clock.shift(35 * 60)  # 12:55
    refused = ratelimit.exceeded(checks)
    assert refused == ratelimit.Exceeded(HOURLY_3, "10.0.0.1", retry_after=5 * 60)

    clock.shift(5 * 60)  # 13:00: a new window
    assert ratelimit.exceeded(checks) is None


def test_keys_and_purposes_are_counted_apart(clock):
    ratelimit.count([(HOURLY_3, "10.0.0.1")] * 3)

    assert ratelimit.exceeded([(HOURLY_3, "10.0.0.2")]) is None
    assert ratelimit.exceeded([(Rate("other", 3, 3600), "10.0.0.1")]) is None
    refused = ratelimit.exceeded([(HOURLY_3, "10.0.0.2"), (HOURLY_3, "10.0.0.1")])
    assert refused.key == "10.0.0.1"


def test_counts_read_once_decide_without_reading_again_until_the_window_turns(
        clock, django_assert_num_queries):
    address, phone = (HOURLY_3, "10.0.0.1"), (Rate("test-phone", 1, 3600), "phone-index")
    ratelimit.count([address, phone])
    counts = ratelimit.read([address, phone])

    with django_assert_num_queries(0):
        assert ratelimit.exceeded([address], counts) is None
        assert ratelimit.exceeded([address, phone], counts).key == "phone-index"
    with django_assert_num_queries(1):  # a key that was not read
        assert ratelimit.exceeded([(HOURLY_3, "10.0.0.2")], counts) is None

    ratelimit.count([address] * 2)
    clock.shift(40 * 60)  # 13:00: what was read belongs to the last window
    with django_assert_num_queries(1):
        assert ratelimit.exceeded([address, phone], counts) is None


def test_a_limit_of_0_and_an_unknown_key_count_nothing_and_refuse_nothing(clock):
    off = Rate("test", 0, 3600)
    ratelimit.count([(off, "10.0.0.1"), (HOURLY_3, "")] * 5)

    assert ratelimit.exceeded([(off, "10.0.0.1"), (HOURLY_3, "")]) is None
    assert not RateCount.objects.exists()


def test_ended_windows_are_forgotten_by_the_nightly_task(clock):
    ratelimit.count([(HOURLY_3, "10.0.0.1"), (Rate("daily", 3, 86400), "10.0.0.1")])
    clock.shift(3600)
    call_command("tick", "--only", "core.clear_rate_counts", "--force", stdout=io.StringIO())
    assert list(RateCount.objects.values_list("key", flat=True)) == [
        Rate("daily", 3, 86400).window_key("10.0.0.1", time.time())]


def test_the_address_is_remote_addr_not_a_header_the_client_writes():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9",
                                    HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert ratelimit.client_address(request) == "203.0.113.9"
