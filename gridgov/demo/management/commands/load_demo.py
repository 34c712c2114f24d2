"""`gridgov load_demo`: fill the database with 新泾镇's demo data and list the demo log-ins.

Safe to run again: every loader finds its records by natural keys. It refuses on a machine with
its own GRIDGOV_PII_KEY (a real installation), where accounts with a published password must not
appear, unless --force says otherwise.
"""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.demo import registry, xinjing


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[list[str]]) -> str:
    """Columns aligned for a terminal, counting Chinese characters as two wide."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


class Command(BaseCommand):
    help = "载入新泾镇演示数据（可重复运行），并列出演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", metavar="LOADER",
                            help="只运行这些载入器（及其依赖），如 --only registry")
        parser.add_argument("--force", action="store_true",
                            help="即使已配置 GRIDGOV_PII_KEY（正式环境）也载入演示数据和演示账号")

    def handle(self, *args, force=False, only=None, **options):
        if not settings.USING_DEMO_KEYS and not force:
            raise CommandError("已配置 GRIDGOV_PII_KEY，这像是正式环境：演示账号的密码是公开的，"
                               "不予载入。确需载入请加 --force。")
        try:
            context = registry.load_all(registry.DemoContext(write=self.stdout.write), only=only)
        except registry.RegistryError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("\n新泾镇演示数据已就绪。"))
        if context.accounts:
            rows = [["角色", "手机号", "密码", "姓名", "范围"]]
            rows += [[a.role, a.phone, xinjing.DEMO_PASSWORD, a.name, a.scope]
                     for a in context.accounts]
            self.stdout.write("演示账号（密码相同）：")
            self.stdout.write(table(rows))
