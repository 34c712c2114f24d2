from pathlib import Path

from gridgov.grids.io.address_import import import_addresses
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.management.base import RegistryCommand


class Command(RegistryCommand):
    help = ("导入标准地址（地名地址，.xlsx 或 .csv：路名、门牌号、小区、楼栋、经度、纬度），"
            "替换该镇的全部标准地址；全部校验通过才写入")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        super().add_arguments(parser)

    def handle(self, file, town, actor, **options):
        try:
            report = import_addresses(file.read_bytes(), town=self.town(town),
                                      actor=self.actor(actor), filename=file.name)
        except ImportRefused as refused:
            self.refuse(refused)
        self.report(report)
