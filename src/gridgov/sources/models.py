"""污染源档案: the registry of pollution sources on the campaign's eight fronts.

One table for every category: the shared facts (name, place, grids, who answers for it, status)
are columns; the category's own fields are one JSON column checked by `categories.SCHEMAS`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.people.models import Post
from gridgov.people.scope import scope_paths
from gridgov.sources.categories import CHOICES
from gridgov.territory.models import Region


class Status(models.TextChoices):
    ACTIVE = "active", _("在营/在建")
    SUSPENDED = "suspended", _("停工/停产")
    CLOSED = "closed", _("关停/注销")


class PollutionSource(models.Model):
    """污染源: a site, a road section, an enterprise, … on one of the eight fronts."""

    code = models.CharField(_("编号"), max_length=24, unique=True)
    category = models.CharField(_("类别"), max_length=20, choices=CHOICES, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # GeoJSON in WGS84 (Point, LineString or Polygon and their Multi forms, by category).
    geometry = models.JSONField(_("位置"))
    # A representative point (the point itself, else a point on the line or surface) and the
    # bounding box, so "near here" is an indexed box query before the exact distance.
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    # The grid of the representative point (or the first touched): the owner of the source.
    grid = models.ForeignKey(
        Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="sources"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    # Overrides the grid's responsible post (网格监管责任) when set.
    responsible_post = models.ForeignKey(
        Post,
        verbose_name=_("指定责任岗位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空则由所属网格的责任人负责"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    attributes = models.JSONField(_("类别信息"), default=dict, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("建档时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("污染源")
        verbose_name_plural = _("污染源")
        indexes = [
            models.Index(fields=["min_lat", "max_lat"], name="source_lat_box"),
            models.Index(fields=["category", "status"], name="source_category_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SourceGridQuerySet(models.QuerySet["SourceGrid"]):
    def for_user(self, user: Account) -> SourceGridQuerySet:
        """The source-grid links in grids inside the account's scope (all for an account that sees
        everything), as ``services.sources_for`` reads them."""
        paths = scope_paths(user)
        return self.all() if paths is None else self.filter(under_paths(paths, "path"))


class SourceGrid(models.Model):
    """Every grid a source touches (a road crosses several); scope reads `path`."""

    source = models.ForeignKey(PollutionSource, on_delete=models.CASCADE, related_name="grid_links")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, db_index=True)

    objects = SourceGridQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "region"], name="uniq_source_grid")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.region_id}"


class SourceChange(models.Model):
    """档案变更记录: who changed what, old and new values, never deleted."""

    source = models.ForeignKey(PollutionSource, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("动作"), max_length=16)  # created, updated, status, imported
    changes = models.JSONField(_("变更内容"), default=dict)  # field → [old, new]
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=60, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("档案变更记录")
        verbose_name_plural = _("档案变更记录")

    def __str__(self) -> str:
        return f"{self.source_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SourceFileQuerySet(models.QuerySet["SourceFile"]):
    def for_user(self, user: Account) -> SourceFileQuerySet:
        """Files of the sources the account may see (``services.sources_for``)."""
        from gridgov.sources.services import sources_for

        return self.filter(source__in=sources_for(user).values("pk"))


class SourceFile(models.Model):
    """Documents and photos of a source (许可证、照片…), stored under the data dir."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件")

    source = models.ForeignKey(PollutionSource, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    file = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = SourceFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("档案附件")
        verbose_name_plural = _("档案附件")

    def __str__(self) -> str:
        return self.title or self.original_name or self.file


# The sources' own monitors (dust, fume, power) and their findings: their own module.
from gridgov.sources.monitor_models import (  # noqa: E402, F401
    MonitorFinding,
    MonitorKind,
    MonitorSettings,
    SourceMonitor,
)
