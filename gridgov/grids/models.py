"""The town's registry (S1): town → communities → grids → places, departments and grid staff.

Boundaries are GeoJSON polygons in WGS 84 (longitude, latitude), with their bounding box stored
beside them so that a map viewport is an indexed range query on either database.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.errors import Refusal
from gridgov.core.scope import ScopedQuerySet, ScopeKind, placed_rules, scope_rule


def _town_of(kind_model: str, path: str = "town_id"):
    """The rule of a kind that sees its whole town: rows whose `path` is the town of one of the
    kind's records."""
    return scope_rule(path, via=kind_model, column="town_id")


class TownQuerySet(ScopedQuerySet):
    scope_rules = {
        ScopeKind.TOWN: scope_rule("pk"),
        ScopeKind.COMMUNITY: _town_of("grids.Community", "pk"),
        ScopeKind.GRID: _town_of("grids.Grid", "pk"),
        ScopeKind.DEPARTMENT: _town_of("grids.Department", "pk"),
    }


class Town(models.Model):
    name = models.CharField(_("名称"), max_length=50)
    district = models.CharField(_("所属区"), max_length=50)
    district_code = models.CharField(
        _("区代码"), max_length=6, validators=[RegexValidator(r"^\d{6}$", _("区代码为6位数字"))]
    )
    code = models.CharField(
        _("街镇代码"), max_length=3, validators=[RegexValidator(r"^\d{3}$", _("街镇代码为3位数字"))]
    )
    longitude = models.FloatField(_("中心经度"))
    latitude = models.FloatField(_("中心纬度"))
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("镇/街道")
        verbose_name_plural = _("镇/街道")
        constraints = [
            models.UniqueConstraint(fields=["district_code", "code"], name="unique_town_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_town_id(self) -> int:
        return self.pk


class CommunityQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(community="pk", grid=None),
        ScopeKind.GRID: scope_rule("pk", via="grids.Grid", column="community_id"),
        ScopeKind.DEPARTMENT: _town_of("grids.Department"),
    }


class Community(models.Model):
    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="communities")
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("居民区代码"), max_length=3,
        validators=[RegexValidator(r"^\d{3}$", _("居民区代码为3位数字"))],
    )
    color = models.CharField(_("地图颜色"), max_length=7, default="#3b82f6")
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民区")
        verbose_name_plural = _("居民区")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="unique_community_code"),
            models.UniqueConstraint(fields=["town", "name"], name="unique_community_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("综合行政执法队")
    MARKET = "market", _("市场监管所")
    POLICE = "police", _("派出所")
    OPERATIONS = "operations", _("城运中心")
    NEIGHBOURHOOD = "neighbourhood", _("居委会")
    PROPERTY = "property", _("物业")
    HOUSING = "housing", _("房管")
    GREENING = "greening", _("绿化市容")
    UTILITY = "utility", _("公用事业单位")
    OFFICE = "office", _("镇机关科室")
    OTHER = "other", _("其他")


class DepartmentQuerySet(ScopedQuerySet):
    scope_rules = {
        ScopeKind.TOWN: scope_rule("town_id"),
        ScopeKind.COMMUNITY: _town_of("grids.Community"),
        ScopeKind.GRID: _town_of("grids.Grid"),
        ScopeKind.DEPARTMENT: _town_of("grids.Department"),
    }


class Department(models.Model):
    """A handling department (处置部门) or an office of the town."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="departments")
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    community = models.ForeignKey(
        Community, verbose_name=_("所属居民区"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("居委会、物业等只服务一个居民区的部门"),
    )
    duty_phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="unique_department_name")
        ]

    def __str__(self) -> str:
        return self.name


unit_grid_code_validator = RegexValidator(
    r"^\d{15}$", _("单元网格代码为15位数字：6位区代码+3位街镇+3位社区+3位顺序号")
)


class GridQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(grid="pk"),
        ScopeKind.DEPARTMENT: _town_of("grids.Department"),
    }

    def in_bbox(self, west: float, south: float, east: float, north: float):
        return self.filter(
            min_longitude__lte=east, max_longitude__gte=west,
            min_latitude__lte=north, max_latitude__gte=south,
        )

    def search(self, text: str):
        """By name, unit-grid code, or number ("4" or "第4网格")."""
        text = text.strip()
        condition = Q(name__icontains=text)
        number = text.removeprefix("第").removesuffix("网格")
        if number.isdecimal() and len(number) <= 5:  # what int() reads: not "²"
            condition |= Q(number=int(number))
        elif number.isdecimal():
            condition |= Q(unit_code__startswith=number)
        return self.filter(condition)


class Grid(models.Model):
    """A numbered grid (第N网格): since "多格合一" the one layer for party, safety, city-management
    and service work. Its unit-grid code follows GB/T 30428."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="grids")
    community = models.ForeignKey(Community, verbose_name=_("居民区"), on_delete=models.PROTECT,
                                  related_name="grids")
    number = models.PositiveIntegerField(_("网格编号"))
    name = models.CharField(_("名称"), max_length=50)
    unit_code = models.CharField(
        _("单元网格代码"), max_length=15, unique=True, validators=[unit_grid_code_validator]
    )
    boundary = models.JSONField(_("边界"), help_text=_("GeoJSON Polygon 或 MultiPolygon，WGS84"))
    min_longitude = models.FloatField(editable=False)
    min_latitude = models.FloatField(editable=False)
    max_longitude = models.FloatField(editable=False)
    max_latitude = models.FloatField(editable=False)
    area_m2 = models.FloatField(_("面积（平方米）"), editable=False, default=0)
    signature_service = models.CharField(_("一格一最品牌"), max_length=50, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["town", "number"], name="unique_grid_number"),
        ]
        indexes = [
            # The map asks for grids overlapping the viewport.
            models.Index(fields=["min_longitude", "max_longitude", "min_latitude", "max_latitude"],
                         name="grid_bbox"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from gridgov.grids.geometry import polygon_from_geojson

        if self.community_id and self.town_id and self.community.town_id != self.town_id:
            raise ValidationError({"community": _("居民区不属于该镇/街道")})
        try:
            polygon_from_geojson(self.boundary)
        except Refusal as error:
            raise ValidationError({"boundary": error.message}) from None

    DERIVED_FROM_BOUNDARY = ("min_longitude", "min_latitude", "max_longitude", "max_latitude",
                             "area_m2")

    def save(self, *args, **kwargs):
        from gridgov.grids.geometry import area_m2, polygon_from_geojson

        shape = polygon_from_geojson(self.boundary)
        self.min_longitude, self.min_latitude, self.max_longitude, self.max_latitude = shape.bounds
        self.area_m2 = area_m2(shape)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "boundary" in update_fields:
            # The extent and area follow the boundary, also when a caller saves only some fields
            # (update_or_create does).
            kwargs["update_fields"] = {*update_fields, *self.DERIVED_FROM_BOUNDARY}
        super().save(*args, **kwargs)
        self._forget_lookup()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._forget_lookup()
        return result

    @staticmethod
    def _forget_lookup():
        # This process sees the change at once, and again after commit (another thread may have
        # rebuilt the index from the committed state meanwhile); other processes within
        # GRID_LOOKUP_RECHECK_SECONDS.
        from gridgov.grids import lookup

        lookup.invalidate()
        transaction.on_commit(lookup.invalidate)


class PlaceKind(models.TextChoices):
    BUILDING = "building", _("楼宇")
    SHOP_STREET = "shop_street", _("商铺/街区")
    SHOP = "shop", _("商铺")
    MARKET = "market", _("市场")
    METRO = "metro", _("地铁站")
    COMPOUND = "compound", _("小区")
    ENTERPRISE = "enterprise", _("企业")
    SCHOOL = "school", _("学校")
    PARK = "park", _("公园/绿地")
    SERVICE_POINT = "service_point", _("服务站点")
    OTHER = "other", _("其他")


class PlaceQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(community="grid__community_id"),
        ScopeKind.DEPARTMENT: _town_of("grids.Department"),
    }

    def in_bbox(self, west: float, south: float, east: float, north: float):
        return self.filter(longitude__range=(west, east), latitude__range=(south, north))

    def search(self, text: str):
        text = text.strip()
        return self.filter(Q(name__icontains=text) | Q(address__icontains=text))


class Place(models.Model):
    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="places")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="places",
                             help_text=_("由坐标自动确定"))
    kind = models.CharField(_("类型"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"))
    latitude = models.FloatField(_("纬度"))
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "kind", "name"], name="unique_place_name"),
        ]
        indexes = [
            models.Index(fields=["grid", "kind"]),
            models.Index(fields=["longitude", "latitude"]),
        ]

    def __str__(self) -> str:
        return self.name


class StaffPosition(models.TextChoices):
    LEADER = "leader", _("网格长")
    DEPUTY = "deputy", _("副网格长")
    LIAISON = "liaison", _("联络员")
    MEMBER = "member", _("网格员")


class StaffLine(models.TextChoices):
    """The grid each member came from before "多格合一" merged them into one."""

    PARTY = "party", _("党建网格")
    SAFETY = "safety", _("平安网格")
    CITY = "city", _("城管网格")
    SERVICE = "service", _("服务网格")


class GridStaffQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(town="grid__town_id", community="grid__community_id"),
        # A handling department reads its town's map, grid staff included (masked): it needs to
        # know whom to call about a case.
        ScopeKind.DEPARTMENT: _town_of("grids.Department", "grid__town_id"),
    }


class GridStaff(models.Model):
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE,
                             related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"),
                             on_delete=models.PROTECT, related_name="grid_posts")
    position = models.CharField(_("职务"), max_length=20, choices=StaffPosition.choices)
    line = models.CharField(_("来源条线"), max_length=20, choices=StaffLine.choices)
    also_liaison = models.BooleanField(_("兼联络员"), default=False)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = GridStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格人员")
        verbose_name_plural = _("网格人员")
        ordering = ["grid", "position"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "user", "position"], name="unique_grid_post"),
            # One 网格长 per grid.
            models.UniqueConstraint(fields=["grid"], condition=Q(position="leader"),
                                    name="one_leader_per_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_position_display()} {self.user}"

    @property
    def audit_town_id(self) -> int:
        return self.grid.town_id

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.user.phone)



class BaseMapKind(models.TextChoices):
    """Layers of the town's own base map, drawn in this order (water first, labels last)."""

    WATER = "water", _("水系")
    GREEN = "green", _("绿地")
    BUILDING = "building", _("建筑")
    ROAD = "road", _("道路")
    LANDMARK = "landmark", _("地标")


class BaseMapFeature(models.Model):
    """One feature of the base map a town imports from its GIS (`gridgov import_basemap`).

    Drawn from `min_zoom` on (a building is a speck on the whole town) and labelled from
    `label_min_zoom`; the bounding box makes a viewport an indexed range query, as for grids.
    The geometry is kept as WKB in WGS 84: shapely reads it some 60 times faster than GeoJSON
    text, and the map endpoint reads up to 2,000 geometries per answer.
    """

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.CASCADE,
                             related_name="basemap_features")
    kind = models.CharField(_("图层"), max_length=10, choices=BaseMapKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    geometry = models.BinaryField(_("几何（WKB，WGS84）"))
    min_longitude = models.FloatField(editable=False)
    min_latitude = models.FloatField(editable=False)
    max_longitude = models.FloatField(editable=False)
    max_latitude = models.FloatField(editable=False)
    min_zoom = models.PositiveSmallIntegerField(_("显示起始缩放级别"))
    label_min_zoom = models.PositiveSmallIntegerField(_("名称显示起始缩放级别"))
    is_sample = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("底图要素")
        verbose_name_plural = _("底图要素")
        indexes = [
            # The base-map endpoint: features drawn at this zoom overlapping the viewport.
            models.Index(fields=["min_zoom", "min_longitude", "max_longitude", "min_latitude",
                                 "max_latitude"], name="basemap_zoom_bbox"),
            models.Index(fields=["town", "kind"], name="basemap_town_kind"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class AddressRoad(models.Model):
    """A road (or 弄, 街) of the address register: few per town, so a name typed in part is
    found by scanning this small table, and the addresses by (road, number) through an index."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.CASCADE,
                             related_name="address_roads")
    name = models.CharField(_("路名"), max_length=50)

    class Meta:
        verbose_name = _("地址路名")
        verbose_name_plural = _("地址路名")
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="unique_address_road"),
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """A standard address of the town's register (地名地址): road, number, and where the number
    is a compound, the compound and building; with the point it stands for."""

    road = models.ForeignKey(AddressRoad, verbose_name=_("路名"), on_delete=models.CASCADE,
                             related_name="addresses")
    number = models.PositiveIntegerField(_("门牌号"))
    number_suffix = models.CharField(_("门牌后缀"), max_length=10, default="号",
                                     help_text=_("号、弄、支弄等"))
    compound = models.CharField(_("小区"), max_length=50, blank=True)
    building = models.CharField(_("楼栋"), max_length=30, blank=True)
    longitude = models.FloatField(_("经度"))
    latitude = models.FloatField(_("纬度"))
    is_sample = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        constraints = [
            # Also the index of the search: a road's addresses from a number on.
            models.UniqueConstraint(fields=["road", "number", "number_suffix", "building"],
                                    name="unique_address"),
        ]
        indexes = [
            # The nearest address to a tapped point: a small box around it.
            models.Index(fields=["longitude", "latitude"], name="address_point"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """新渔东路88号 泾华苑 3号楼: how the address is written on a form."""
        head = f"{self.road.name}{self.number}{self.number_suffix}"
        return " ".join(part for part in (head, self.compound, self.building) if part)
