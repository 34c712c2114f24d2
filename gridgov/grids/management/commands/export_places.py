from django.core.management.base import CommandError

from gridgov.core import audit
from gridgov.grids.io.export import places_csv_chunks, write_places_xlsx
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
        places = Place.objects.filter(town=town)
        if fmt == "csv":
            with open(output, "w", encoding="utf-8", newline="") as target:
                target.writelines(places_csv_chunks(places))
        else:
            with open(output, "wb") as target:
                write_places_xlsx(places, target)
