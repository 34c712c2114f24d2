"""`gridgov tick`: run the recurring tasks that are due (gridgov.core.periodic). Cron runs it
every minute: `* * * * * cd /srv/gridgov && .venv/bin/gridgov tick`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.core import periodic
from gridgov.core.models import PeriodicTask


class Command(BaseCommand):
    help = ("Run the recurring tasks that are due (each at most once however many ticks run at "
            "once); exits with an error when one failed. Meant for cron, every minute.")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", metavar="NAME",
                            help="run only this task (may be repeated)")
        parser.add_argument("--force", action="store_true",
                            help="run even if not due (never beside a run of the same task)")
        parser.add_argument("--list", action="store_true",
                            help="list the tasks and their last runs, run nothing")

    def handle(self, *args, only=None, force=False, list=False, **options):
        names = {task.name for task in periodic.tasks()}
        unknown = sorted(set(only or ()) - names)
        if unknown:
            raise CommandError(f"unknown task: {', '.join(unknown)} (see --list)")
        if list:
            self._list()
            return
        outcomes = periodic.run(only=only, force=force)
        for outcome in outcomes:
            if outcome.ran:
                state = "FAILED" if outcome.failed else "ok"
                self.stdout.write(f"{outcome.task.name}: {state} {outcome.summary}".rstrip())
            elif options["verbosity"] > 1:
                self.stdout.write(f"{outcome.task.name}: not due")
        failed = [o.task.name for o in outcomes if o.failed]
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")

    def _list(self):
        runs = PeriodicTask.objects.in_bulk()
        for task in periodic.tasks():
            run = runs.get(task.name)
            hours = f" between {task.hours[0]:02}:00 and {task.hours[1]:02}:00" if task.hours else ""
            last = "never run"
            if run is not None and run.started_at is not None:
                result = {True: "ok", False: "FAILED", None: "running"}[
                    run.succeeded if run.finished_at and run.finished_at >= run.started_at
                    else None]
                last = (f"last {timezone.localtime(run.started_at):%Y-%m-%d %H:%M:%S} {result} "
                        f"{run.summary}").rstrip()
            self.stdout.write(f"{task.name}: every {task.every}{hours}; {last}")
