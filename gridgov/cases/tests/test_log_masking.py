"""The notification log is read by more people than a case's reporter: tracking codes (the key to
a case's page and photos) and phone numbers in a notice's text reach it masked."""

import logging

from gridgov.cases import notifications
from gridgov.cases.models import mask_tracking_codes


def test_the_log_line_masks_the_tracking_code_and_phone_numbers_in_the_text(caplog):
    notice = notifications.Notice(
        "report", 1, "XJ20261123000042",
        "您反映的问题已收到，编号XJ20261123000042，查询码K7M2Q9XR4T，联系人13912345678。",
        phone="13912345678")

    with caplog.at_level(logging.INFO, logger="gridgov.cases.notifications"):
        notifications.LogBackend().send([notice])

    assert "K7M2Q9XR4T" not in caplog.text and "K7********" in caplog.text
    assert "13912345678" not in caplog.text
    assert "case=XJ20261123000042" in caplog.text


def test_only_whole_tracking_codes_are_masked():
    assert mask_tracking_codes("码ABCDEFGH23；ABCDEFGH234；XJ2026112300") == (
        "码AB********；ABCDEFGH234；XJ2026112300")
