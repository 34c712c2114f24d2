from django.core.management.base import CommandError

from gridgov.core import audit, tabular
from gridgov.grids.io.export import places_sheet
from gridgov.grids.management.base import RegistryCommand
from gridgov.grids.models import Place


class Command(RegistryCommand):
    help = "导出一个镇/街道的地点为 .csv 或 .xlsx"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", "-o", required=True, help="输出文件，.csv 或 .xlsx")

    def handle(self, town, actor, output, **options):
        fmt = output.rsplit(".", 1)[-1].lower()
        if fmt not in ("csv", "xlsx"):
            raise CommandError("输出文件应以 .csv 或 .xlsx 结尾")
        town = self.town(town)
        audit.record("grids.place.exported", actor=self.actor(actor), target=town,
                     changes={"format": fmt, "via": "command"})
        sheet = places_sheet(Place.objects.filter(town=town))
        if fmt == "csv":
            with open(output, "w", encoding="utf-8", newline="") as target:
                target.writelines(tabular.csv_lines(sheet))
        else:
            with open(output, "wb") as target:
                tabular.write_xlsx([sheet], target)
