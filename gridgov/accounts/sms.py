"""Where one-time codes go. settings.SMS_BACKEND names a class with send(phone, message)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleSender:
    """For development: prints the message to the server's console."""

    def send(self, phone: str, message: str) -> None:
        print(f"[短信] {phone}: {message}", flush=True)


class OutboxSender:
    """For tests: keeps messages in memory."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        OutboxSender.outbox.append((phone, message))


def get_sender():
    return import_string(settings.SMS_BACKEND)()
