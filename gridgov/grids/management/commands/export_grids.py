from gridgov.core import audit
from gridgov.grids.io.export import grids_geojson_chunks
from gridgov.grids.management.base import RegistryCommand
from gridgov.grids.models import Grid


class Command(RegistryCommand):
    help = "导出一个镇/街道的网格为 GeoJSON"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", "-o", default="-", help="输出文件（默认标准输出）")

    def handle(self, town, actor, output, **options):
        town = self.town(town)
        audit.record("grids.grid.exported", actor=self.actor(actor), target=town,
                     changes={"format": "geojson", "via": "command"})
        chunks = grids_geojson_chunks(Grid.objects.filter(town=town))
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
        else:
            with open(output, "w", encoding="utf-8") as target:
                target.writelines(chunks)
