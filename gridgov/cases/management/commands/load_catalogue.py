from django.core.management.base import BaseCommand

from gridgov.cases import catalogue


class Command(BaseCommand):
    help = "Load the default component/event catalogue (事部件分类); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="also put back the shipped values of 小类 the town has edited")

    def handle(self, *args, reset=False, **options):
        counts = catalogue.load(reset=reset)
        self.stdout.write(f"catalogue: {counts['created']} created, {counts['restored']} restored")
