"""Persons, the posts they hold in regions (with history), and API tokens for accounts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.core.scopes import paths_for, under_paths
from gridgov.people import identity
from gridgov.territory.models import Region, WorkLine


def validate_mobile(value: str) -> None:
    if not identity.is_mobile(value):
        raise ValidationError(_("不是有效的手机号码"))


def validate_id_number(value: str) -> None:
    if value and not identity.is_id_number(value):
        raise ValidationError(_("不是有效的身份证号码"))


class PostTypeQuerySet(models.QuerySet["PostType"]):
    def for_user(self, user: Account) -> PostTypeQuerySet:
        """Every post type: a reference list any account may read."""
        return self.all()


class PersonQuerySet(models.QuerySet["Person"]):
    def for_user(self, user: Account) -> PersonQuerySet:
        """Persons holding (or having held) a post inside the account's scope (all for an
        account that sees everything), as ``people.scope.people_for``."""
        paths = paths_for(user)
        if paths is None:
            return self.all()
        return self.filter(pk__in=Post.objects.for_user(user).values("person_id"))


class PostType(models.Model):
    """岗位: a configurable list (网格长, 专职网格员, …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    level = models.SmallIntegerField(
        _("所在层级"), null=True, blank=True, help_text=_("空表示任何层级")
    )
    # Lower ranks answer first to "who is responsible here?" (网格长 before 专职网格员 …).
    rank = models.PositiveSmallIntegerField(_("责任顺序"), default=100)
    responsible = models.BooleanField(_("承担网格责任"), default=False)
    sees_everything = models.BooleanField(_("可见全区"), default=False)
    group = models.ForeignKey(
        Group, verbose_name=_("权限组"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = PostTypeQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("岗位类型")
        verbose_name_plural = _("岗位类型")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """人员: a named person; an account (login) may be linked."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(
        _("手机号码"), max_length=11, unique=True, validators=[validate_mobile]
    )
    id_number = models.CharField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_id_number]
    )
    notes = models.TextField(_("备注"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "phone"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions = [("view_full_id_number", _("可查看完整身份证号码"))]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return identity.mask_id_number(self.id_number)


class PostQuerySet(models.QuerySet["Post"]):
    def current(self, on: dt.date | None = None) -> PostQuerySet:
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def for_user(self, user: Account) -> PostQuerySet:
        """Posts in regions inside the account's scope (all for an account that sees
        everything), as ``people.scope.posts_for``."""
        paths = paths_for(user)
        return self.all() if paths is None else self.filter(under_paths(paths, "region__path"))


class Post(models.Model):
    """任职: a person holds a post in a region from start_date to end_date (history is kept)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="posts"
    )
    post_type = models.ForeignKey(PostType, verbose_name=_("岗位"), on_delete=models.PROTECT)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="posts"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    # 多格合一: a post may serve one line of work only (an environment inspector, say); empty
    # means every line, as a grid worker does.
    line = models.ForeignKey(
        WorkLine,
        verbose_name=_("条线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("空表示全部条线"),
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "post_type__rank", "start_date"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post_type", "region", "start_date"], name="uniq_post_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="post_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["region", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.post_type} · {self.region.name}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
        level = self.post_type.level if self.post_type_id else None
        if level is not None and self.region_id and self.region.level != level:
            raise ValidationError({"region": _("该岗位须设在相应层级的区域")})


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set at issue: now + GRIDGOV_API_TOKEN_DAYS. Tokens older than this field refuse (401).
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
