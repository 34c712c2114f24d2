"""The notification log is read by more people than a notice's recipient: tracking codes (the
key to a case's page and photos) and phone numbers in a notice's text reach it masked."""

import logging

from gridgov.core import notify
from gridgov.core.models import Notice
from gridgov.core.pii import mask_tracking_codes


def test_the_log_line_masks_the_tracking_code_and_phone_numbers_in_the_text(caplog):
    notice = Notice(channel="log", kind="cases.report", object_type="cases.case", object_id="1",
                    address="13912345678",
                    body="您反映的问题已收到，编号XJ20261123000042，查询码K7M2Q9XR4T，联系人13912345678。")

    with caplog.at_level(logging.INFO, logger=notify.logger.name):
        notify.LogSender().send(notice)

    assert "K7M2Q9XR4T" not in caplog.text and "K7********" in caplog.text
    assert "13912345678" not in caplog.text


def test_only_whole_tracking_codes_are_masked():
    assert mask_tracking_codes("码ABCDEFGH23；ABCDEFGH234；XJ2026112300") == (
        "码AB********；ABCDEFGH234；XJ2026112300")
