"""What the registry's import/export commands share: which town, on whose behalf, refusals."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.models import Town


class RegistryCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--town", required=True,
                            help="镇/街道：编号（id）、9位代码（区代码+街镇代码）或名称")
        parser.add_argument("--actor", default="",
                            help="记入审计的操作人手机号（默认：命令行，无操作人）")

    def town(self, value: str) -> Town:
        towns = Town.objects.all()
        if value.isdigit() and len(value) == 9:
            matches = towns.filter(district_code=value[:6], code=value[6:])
        elif value.isdigit():
            matches = towns.filter(pk=int(value))
        else:
            matches = towns.filter(name=value)
        found = list(matches[:2])
        if len(found) != 1:
            raise CommandError(f"找不到唯一的镇/街道：{value}" if not found else f"名称不唯一，请用编号：{value}")
        return found[0]

    def actor(self, phone: str):
        if not phone:
            return None
        user = User.objects.by_phone(phone).first()
        if user is None:
            raise CommandError(f"找不到手机号为 {phone} 的用户")
        return user

    def refuse(self, refused: ImportRefused):
        for error in refused.errors:
            where = f"第 {error.row} 行/要素" if error.row else "文件"
            self.stderr.write(f"{where} [{error.field or '-'}] {error.code}: {error.message}")
        raise CommandError(f"文件有 {refused.total} 处错误，未导入任何数据")

    def report(self, report) -> None:
        self.stdout.write(
            f"共 {report.rows} 行：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}"
            + "".join(f"，{key} {value}" for key, value in report.counts.items()))
