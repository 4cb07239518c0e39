"""村规民约与移风易俗: each village's (community's) rules as numbered versions adopted by a
meeting, its council for weddings and funerals (红白理事会) with dated members, the limits of
ceremonies (标准) with effective dates, and the families' registrations (红白事报备) checked
against the limits in force on the ceremony's date.

A village is a `territory.Region` of the community level; nothing here copies it. services.py
is the only writer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people.models import Person
from gridgov.territory.models import Region


def money_field(label: object, **kwargs: bool) -> models.DecimalField:
    """Amounts in 元, up to 99,999,999.99."""
    return models.DecimalField(label, max_digits=10, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class MeetingKind(models.TextChoices):
    VILLAGERS = "villagers", _("村民会议")
    VILLAGER_REPS = "villager_reps", _("村民代表大会")
    RESIDENTS = "residents", _("居民会议")
    RESIDENT_REPS = "resident_reps", _("居民代表大会")


class AdoptionMeeting(models.Model):
    """The meeting that adopted (表决通过) a version of the rules."""

    community = models.ForeignKey(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("会议日期"))
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    attendance = models.PositiveIntegerField(_("到会人数"))
    entitled = models.PositiveIntegerField(_("应到人数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("表决会议")
        verbose_name_plural = _("表决会议")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class RulesVersion(models.Model):
    """One version of a village's 村规民约 (居民公约): numbered 1, 2, … per village; the version
    in force on a day is the highest one adopted by then."""

    community = models.ForeignKey(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="customs_rules"
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    adopted = models.DateField(_("通过日期"))
    meeting = models.ForeignKey(
        AdoptionMeeting,
        verbose_name=_("表决会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    text = models.TextField(_("全文"))
    file = models.CharField(_("文件"), max_length=200, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    file_size = models.PositiveIntegerField(_("文件大小"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["community__code", "-number"]
        verbose_name = _("村规民约")
        verbose_name_plural = _("村规民约")
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="customs_rules_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Council(models.Model):
    """红白理事会 of a village (one per village)."""

    community = models.OneToOneField(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="customs_council"
    )
    name = models.CharField(_("名称"), max_length=80)
    established = models.DateField(_("成立日期"))

    class Meta:
        ordering = ["community__code"]
        verbose_name = _("红白理事会")
        verbose_name_plural = _("红白理事会")

    def __str__(self) -> str:
        return self.name


class CouncilRole(models.TextChoices):
    PRESIDENT = "president", _("会长")
    VICE = "vice", _("副会长")
    DIRECTOR = "director", _("理事")
    MEMBER = "member", _("成员")


class CouncilMemberQuerySet(models.QuerySet["CouncilMember"]):
    def current(self, on: object) -> CouncilMemberQuerySet:
        return self.filter(start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


class CouncilMember(models.Model):
    """A member of the council from start_date to end_date: a person of the platform or a
    villager named here."""

    council = models.ForeignKey(
        Council, verbose_name=_("红白理事会"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("平台人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=20, choices=CouncilRole.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        ordering = ["council", "role", "start_date", "pk"]
        verbose_name = _("理事会成员")
        verbose_name_plural = _("理事会成员")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="customs_member_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class CeremonyKind(models.TextChoices):
    WEDDING = "wedding", _("婚事")
    FUNERAL = "funeral", _("丧事")
    OTHER = "other", _("其他喜事")


class LimitSource(models.TextChoices):
    RULES = "rules", _("村规民约")
    COUNCIL = "council", _("红白理事会")


class LimitQuerySet(models.QuerySet["Limit"]):
    def for_user(self, user: Account) -> LimitQuerySet:
        """Standards of the villages the account sees (``services.villages_for``)."""
        from gridgov.customs.services import villages_for

        return self.filter(community__in=villages_for(user))


class Limit(models.Model):
    """标准 of one kind of ceremony in a village from `effective_from` (to `effective_to`, or
    until replaced). A blank maximum is no limit on that measure."""

    community = models.ForeignKey(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="customs_limits"
    )
    kind = models.CharField(_("事项"), max_length=10, choices=CeremonyKind.choices)
    max_tables = models.PositiveIntegerField(_("桌数上限"), null=True, blank=True)
    max_guests = models.PositiveIntegerField(_("人数上限"), null=True, blank=True)
    max_cost = money_field(_("总花费上限（元）"), null=True, blank=True)
    max_days = models.PositiveIntegerField(_("天数上限"), null=True, blank=True)
    max_table_cost = money_field(_("每桌花费上限（元）"), null=True, blank=True)
    source = models.CharField(_("依据"), max_length=10, choices=LimitSource.choices)
    rules = models.ForeignKey(
        RulesVersion,
        verbose_name=_("村规民约版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="limits",
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    objects = LimitQuerySet.as_manager()

    class Meta:
        ordering = ["community__code", "kind", "-effective_from"]
        verbose_name = _("操办标准")
        verbose_name_plural = _("操办标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="customs_limit_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(source="council") | Q(rules__isnull=False),
                name="customs_limit_rules_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_from}"


class FollowUp(models.TextChoices):
    NONE = "", _("无需跟进")
    PENDING = "pending", _("待劝导")
    ADVISED = "advised", _("已劝导")


class Registration(models.Model):
    """红白事报备 of a family in a grid; `exceedances` is the check against the village's limits
    in force on the ceremony's date: [{"what", "limit", "actual"}, …]. A flagged registration
    opens a work order to the village and the council records its 劝导."""

    community = models.ForeignKey(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Region, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("事项"), max_length=10, choices=CeremonyKind.choices)
    date = models.DateField(_("举办日期"))
    family_head = models.CharField(_("户主姓名"), max_length=50)
    family_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    tables = models.PositiveIntegerField(_("桌数"))
    guests = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    cost = money_field(_("总花费（元）"), null=True, blank=True)
    days = models.PositiveIntegerField(_("天数"), default=1)
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    limit = models.ForeignKey(
        Limit, verbose_name=_("适用标准"), null=True, blank=True, on_delete=models.PROTECT
    )
    flagged = models.BooleanField(_("超标"), default=False)
    exceedances = models.JSONField(_("超标项"), default=list, blank=True)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up = models.CharField(
        _("劝导"), max_length=10, choices=FollowUp.choices, blank=True, default=""
    )
    advised_on = models.DateField(_("劝导日期"), null=True, blank=True)
    outcome = models.CharField(_("劝导结果"), max_length=500, blank=True)
    advised_by = models.CharField(_("劝导人"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("红白事报备")
        verbose_name_plural = _("红白事报备")
        permissions = [("export_family", _("可导出未脱敏的户主姓名、电话"))]
        indexes = [models.Index(fields=["community", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} #{self.pk}"
