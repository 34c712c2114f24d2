from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core import params
from gridgov.grids.access import editable_towns, visible_communities, visible_grids
from gridgov.grids.io import grid_import, place_import
from gridgov.grids.models import PlaceKind, StaffLine, StaffPosition


class _ScopedFilter(forms.Form):
    """A list filter whose choices are only what the user may see."""

    community = forms.ModelChoiceField(label=_("居民区"), queryset=None, required=False,
                                       empty_label=_("全部居民区"))

    def __init__(self, data, *, user):
        super().__init__(data, label_suffix="：")  # the full-width colon, as Chinese is written
        self.fields["community"].queryset = visible_communities(user).order_by("town_id", "code")
        if "grid" in self.fields:
            self.fields["grid"].queryset = visible_grids(user).order_by("town_id", "number")

    def filtered(self, queryset, community_path: str):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data.get("community"):
            queryset = queryset.filter(**{community_path: data["community"]})
        return queryset


class GridFilter(_ScopedFilter):
    q = forms.CharField(label=_("名称、编号或单元网格代码"), required=False, max_length=50)

    def apply(self, grids):
        grids = self.filtered(grids, "community")
        if self.is_valid() and self.cleaned_data["q"]:
            grids = grids.search(self.cleaned_data["q"])
        return grids


class PlaceFilter(_ScopedFilter):
    q = forms.CharField(label=_("名称或地址"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部类型")), *PlaceKind.choices],
                             required=False)
    grid = params.RowChoiceField(label=_("网格"), queryset=None, required=False,
                                  empty_label=_("全部网格"))

    def apply(self, places):
        places = self.filtered(places, "grid__community")
        if not self.is_valid():
            return places
        data = self.cleaned_data
        if data["q"]:
            places = places.search(data["q"])
        if data["kind"]:
            places = places.filter(kind=data["kind"])
        if data["grid"]:
            places = places.filter(grid=data["grid"])
        return places


class StaffFilter(_ScopedFilter):
    grid = params.RowChoiceField(label=_("网格"), queryset=None, required=False,
                                  empty_label=_("全部网格"))
    position = forms.ChoiceField(label=_("职务"), choices=[("", _("全部职务")), *StaffPosition.choices],
                                 required=False)
    line = forms.ChoiceField(label=_("来源条线"), choices=[("", _("全部条线")), *StaffLine.choices],
                             required=False)

    def apply(self, posts):
        posts = self.filtered(posts, "grid__community")
        if not self.is_valid():
            return posts
        for field in ("grid", "position", "line"):
            if self.cleaned_data[field]:
                posts = posts.filter(**{field: self.cleaned_data[field]})
        return posts


class _ImportForm(forms.Form):
    town = forms.ModelChoiceField(label=_("镇/街道"), queryset=None, empty_label=None)
    max_bytes: int

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = editable_towns(user).order_by("pk")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(_("文件不能超过 %(mb)d MB") % {"mb": self.max_bytes // 2**20})
        return upload


class GridImportForm(_ImportForm):
    max_bytes = grid_import.MAX_FILE_BYTES
    file = forms.FileField(label=_("网格边界文件（GeoJSON）"))
    update_existing = forms.BooleanField(label=_("更新编号相同的已有网格"), required=False,
                                         initial=True)


class PlaceImportForm(_ImportForm):
    max_bytes = place_import.MAX_FILE_BYTES
    file = forms.FileField(label=_("地点表（.xlsx 或 .csv）"))
