from pathlib import Path

from django.conf import settings

from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.io.grid_import import import_grids
from gridgov.grids.management.base import RegistryCommand


class Command(RegistryCommand):
    help = "导入网格边界（GeoJSON FeatureCollection），全部校验通过才写入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        super().add_arguments(parser)
        parser.add_argument("--no-update", action="store_true",
                            help="编号已存在的网格视为错误，而不是更新它")
        parser.add_argument("--tolerance", type=float, default=settings.GRID_OVERLAP_TOLERANCE,
                            help="允许的重叠比例（占较小网格面积），默认 %(default)s")

    def handle(self, file, town, actor, no_update, tolerance, **options):
        try:
            report = import_grids(file.read_bytes(), town=self.town(town), actor=self.actor(actor),
                                  update_existing=not no_update, overlap_tolerance=tolerance,
                                  source_name=file.name)
        except ImportRefused as refused:
            self.refuse(refused)
        self.report(report)
