"""`gridgov pii_access_report <phone> [--town ID ...]`: who looked at this person's personal
data, when, which field, from where (a PIPL access request); see gridgov.core.pii_access.
Run by the installation's operator; --town limits it to entries of those towns."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core import pii, pii_access


class Command(BaseCommand):
    help = "List every audited view of one person's personal data (PIPL access request)."

    def add_arguments(self, parser):
        parser.add_argument("phone")
        parser.add_argument("--town", type=int, action="append", dest="towns")

    def handle(self, *args, phone, towns=None, **options):
        if not pii.normalize_phone(phone):
            raise CommandError("请输入有效的手机号")
        found = pii_access.accesses(phone, towns=set(towns) if towns else None)
        self.stdout.write(f"{pii.mask_phone(pii.normalize_phone(phone))}：共 {len(found)} 次查看")
        for access in found:
            self.stdout.write("\t".join([access.at, access.actor, access.field,
                                         f"{access.object_type}#{access.object_id}",
                                         access.object_label, access.ip]))
