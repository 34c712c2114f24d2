from django.core.management.base import BaseCommand

from gridgov.core import ratelimit


class Command(BaseCommand):
    help = "删除已结束时间窗的频率计数（每晚运行）。Deletes the rate-limit counts of windows that have ended."

    def handle(self, *args, **options):
        deleted = ratelimit.forget_ended()
        self.stdout.write(f"rate counts deleted: {deleted}")
