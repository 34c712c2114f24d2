"""Open311's own table: the keys partner systems post requests with. A model of the cases
app until Open311 became an app of its own: its table was renamed from cases_open311key to
open311_open311key (cases migration 0014), its rows kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scope import ScopedQuerySet, placed_rules
from gridgov.grids.models import Town


class Open311KeyQuerySet(ScopedQuerySet):
    scope_rules = placed_rules(community=None, grid=None)


class Open311Key(models.Model):
    """A key with which a partner system (a 12345 platform, a city app) posts service requests
    through Open311 for one town. Only a hash of the key is kept; the key is shown once."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="open311_keys")
    name = models.CharField(_("使用方"), max_length=100)
    prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["town", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
