"""`gridgov audit_check [file ...]`: recompute the hash chains of the audit archives (and of
export files given) and look for missing ids between the archives and the database.

Exit 1 when a hash or checksum does not match or an archive file is missing. Missing ids are
listed; on PostgreSQL a transaction rolled back after its entry was written leaves one (its
sequence number is not given back), so they fail the check only with --strict."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core import audit_retention


class Command(BaseCommand):
    help = "Check the audit log's archives and exports for broken hashes and missing ids."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*")
        parser.add_argument("--strict", action="store_true", help="fail on missing ids too")

    def handle(self, *args, files=(), strict=False, **options):
        findings = audit_retention.check(files)
        for problem in findings.problems:
            self.stdout.write(f"MISMATCH {problem}")
        for first, last in findings.gaps:
            self.stdout.write(f"GAP ids {first}–{last} missing")
        self.stdout.write(f"{findings.checked} entries checked, {len(findings.problems)} "
                          f"mismatches, {len(findings.gaps)} gaps")
        if findings.problems or (strict and findings.gaps):
            raise CommandError("audit log check failed")
