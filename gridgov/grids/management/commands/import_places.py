from pathlib import Path

from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.io.place_import import import_places
from gridgov.grids.management.base import RegistryCommand


class Command(RegistryCommand):
    help = "导入地点（.xlsx 或 .csv：名称, 类型, 地址, 经度, 纬度），全部校验通过才写入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        super().add_arguments(parser)

    def handle(self, file, town, actor, **options):
        try:
            report = import_places(file.read_bytes(), town=self.town(town), actor=self.actor(actor),
                                   filename=file.name)
        except ImportRefused as refused:
            self.refuse(refused)
        self.report(report)
