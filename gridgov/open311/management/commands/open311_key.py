"""`gridgov open311_key`: the keys partner systems (a district 12345 platform, a city app) post
Open311 requests with, from the command line as in the admin — issued (the key is printed this
once and kept only as a hash), listed, revoked. Every issue and revocation is audited (actor: the
platform, as for create_staff).

    gridgov open311_key issue 新泾镇 "长宁区12345平台"
    gridgov open311_key list [--town 新泾镇]
    gridgov open311_key revoke 3
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from gridgov.grids.models import Town
from gridgov.open311 import keys
from gridgov.open311.models import Open311Key
from gridgov.open311.views import jurisdiction_of


def find_town(named: str) -> Town:
    """A town by its 9-digit jurisdiction_id, its id or its exact name; one, or a CommandError."""
    named = named.strip()
    condition = Q(name=named)
    if named.isdigit() and len(named) == 9:
        condition |= Q(district_code=named[:6], code=named[6:])
    elif named.isdigit():
        condition |= Q(pk=int(named))
    towns = list(Town.objects.filter(condition)[:2])
    if len(towns) != 1:
        raise CommandError(f"没有找到镇/街道“{named}”" if not towns else
                           f"“{named}”对应多个镇/街道，请改用 jurisdiction_id（9位代码）")
    return towns[0]


class Command(BaseCommand):
    help = "Open311 接口密钥：发放（只显示一次）、列出、停用"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="issue|list|revoke")
        issue = actions.add_parser("issue", help="为一个镇/街道发放新密钥，只显示这一次")
        issue.add_argument("town", help="镇/街道：名称、编号或 jurisdiction_id")
        issue.add_argument("name", help="使用方，如“长宁区12345平台”")
        listing = actions.add_parser("list", help="列出密钥（只有前缀，密钥本身不保存）")
        listing.add_argument("--town", help="只列这个镇/街道的")
        revoke = actions.add_parser("revoke", help="停用一个密钥（按编号或前缀）")
        revoke.add_argument("key", help="密钥编号，或 list 显示的前缀")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _issue(self, *, town, name, **options):
        name = name.strip()
        if not name or len(name) > Open311Key._meta.get_field("name").max_length:
            raise CommandError("使用方名称不能为空，且不超过100个字")
        key = Open311Key(town=find_town(town), name=name)
        raw = keys.issue_key(key, actor=None)
        self.stdout.write(f"已为{key.town.name}（jurisdiction_id {jurisdiction_of(key.town)}）"
                          f"发放接口密钥，编号 {key.pk}，使用方：{key.name}")
        self.stdout.write("密钥只显示这一次，平台只保存它的散列值；请当面或加密交给使用方：")
        self.stdout.write(raw)

    def _list(self, *, town=None, **options):
        rows = Open311Key.objects.select_related("town").order_by("town__name", "pk")
        if town:
            rows = rows.filter(town=find_town(town))
        if not rows:
            self.stdout.write("没有接口密钥")
            return
        for key in rows:
            used = (f"{timezone.localtime(key.last_used_at):%Y-%m-%d %H:%M}" if key.last_used_at
                    else "从未使用")
            self.stdout.write(
                f"{key.pk}\t{key.prefix}…\t{'启用' if key.is_active else '已停用'}\t"
                f"{key.town.name}\t{key.name}\t发放于 {timezone.localtime(key.created_at):%Y-%m-%d}\t"
                f"最近使用：{used}")

    def _revoke(self, *, key, **options):
        key = key.strip().rstrip("…")
        condition = Q(prefix=key) | (Q(pk=int(key)) if key.isdigit() else Q(pk__in=[]))
        found = list(Open311Key.objects.filter(condition)[:2])
        if len(found) != 1:
            raise CommandError(f"没有找到密钥“{key}”" if not found else
                               f"“{key}”对应多个密钥，请改用编号")
        [chosen] = found
        if not chosen.is_active:
            self.stdout.write(f"密钥 {chosen} 已经停用")
            return
        keys.set_active(chosen, False, actor=None)
        self.stdout.write(f"已停用密钥 {chosen}：使用它的请求从现在起被拒绝（403）")
