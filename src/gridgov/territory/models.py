"""The territory: province > city > district > street/town > community/village > grid (the levels
a deployment uses: territory.ladder), with versioned boundaries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.core.scopes import paths_for, under_paths
from gridgov.territory.levels import Level

__all__ = ["BoundaryRevision", "BoundaryVersion", "GridKind", "Level", "Region", "WorkLine"]


class GridKind(models.TextChoices):
    """网格类型."""

    RURAL = "rural", _("农村网格")
    URBAN = "urban", _("城市社区网格")
    DEDICATED = "dedicated", _("专属网格")


class WorkLine(models.Model):
    """A line of work a grid serves (多格合一: party building, governance, environment, …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("工作条线")
        verbose_name_plural = _("工作条线")

    def __str__(self) -> str:
        return self.name


class RegionQuerySet(models.QuerySet["Region"]):
    def active(self) -> RegionQuerySet:
        return self.filter(retired_at__isnull=True)

    def grids(self) -> RegionQuerySet:
        return self.filter(level=Level.GRID)

    def for_user(self, user: Account) -> RegionQuerySet:
        """The regions inside the account's scope (the subtrees of its current posts; all for
        an account that sees everything), as ``people.scope.regions_for``."""
        paths = paths_for(user)
        return self if paths is None else self.filter(under_paths(paths, "path"))


class Region(models.Model):
    """A region at one level of the chain (省/市/区/街道/社区/网格).

    Regions are never deleted: a grid that is merged or removed is *retired* and keeps its
    boundary history, so what was recorded against it stays against it.
    """

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.SmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/5/23/") so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    kind = models.CharField(_("网格类型"), max_length=16, choices=GridKind.choices, blank=True)
    lines = models.ManyToManyField(WorkLine, verbose_name=_("工作条线"), blank=True)
    geometry = models.JSONField(_("边界"), help_text=_("GeoJSON Polygon/MultiPolygon, WGS84"))
    version = models.PositiveIntegerField(_("边界版本"), default=1, editable=False)
    retired_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    centroid_lat = models.FloatField(_("中心纬度"), null=True, editable=False)
    centroid_lon = models.FloatField(_("中心经度"), null=True, editable=False)
    area_km2 = models.FloatField(_("面积(平方公里)"), null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this region, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @classmethod
    def by_code(cls, code: str) -> Region | None:
        """The region with this code, whoever asks (None if unknown): for checking a code named
        in a request whose reads and writes then apply the account's scope themselves."""
        return cls.objects.filter(code=code).first()

    def chain(self) -> dict[int, Region]:
        """The regions from the root down to this one, by id: the breadcrumb of a region the
        reader may see (its ancestors may lie outside the reader's scope)."""
        return Region.objects.in_bulk(self.ancestor_ids())


class BoundaryVersion(models.Model):
    """边界历史: one row per version of a region's polygon; the current one has valid_to NULL."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="boundary_versions")
    version = models.PositiveIntegerField(_("版本"))
    geometry = models.JSONField(_("边界"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["region", "version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="uniq_region_version")
        ]
        verbose_name = _("边界版本")
        verbose_name_plural = _("边界版本")

    def __str__(self) -> str:
        return f"{self.region.code} v{self.version}"


class BoundaryRevision(models.Model):
    """A single counter bumped whenever any boundary changes; locate indexes compare it."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("边界修订号")

    def __str__(self) -> str:
        return f"boundary revision {self.number}"
