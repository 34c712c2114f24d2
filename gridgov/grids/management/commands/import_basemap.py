from pathlib import Path

from gridgov.grids.io.basemap_import import import_basemap
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.management.base import RegistryCommand
from gridgov.grids.models import BaseMapKind


class Command(RegistryCommand):
    help = ("导入底图图层（GeoJSON FeatureCollection，WGS84），替换该镇此图层的全部要素；"
            "全部校验通过才写入。Shapefile 先用 ogr2ogr 转为 GeoJSON")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--layer", required=True, choices=BaseMapKind.values,
                            help="图层：" + "、".join(f"{k.value}={k.label}" for k in BaseMapKind))
        super().add_arguments(parser)

    def handle(self, file, layer, town, actor, **options):
        try:
            report = import_basemap(file.read_bytes(), town=self.town(town), kind=layer,
                                    actor=self.actor(actor), source_name=file.name)
        except ImportRefused as refused:
            self.refuse(refused)
        self.report(report)
