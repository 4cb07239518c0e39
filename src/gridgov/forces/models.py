"""Task forces (专班、攻坚办), their members (seconded staff included, with dated history) and duty
rosters; supplies (物资): kinds, depots, a ledger of every movement, allocations to streets,
requests from streets and communities, and hand-overs.

Stock is never stored: it is the sum of a depot's `SupplyMovement` rows for a kind, and every
change of stock is one such row (services.py is the only writer)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people.models import Person
from gridgov.territory.models import Region


def amount_field(label: Any, **kwargs: bool) -> models.DecimalField:
    """Amounts of supplies: up to 9,999,999,999.99 of the kind's unit (台, m², 吨 …)."""
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class ForceKind(models.TextChoices):
    TASK_FORCE = "task_force", _("专班")
    CAMPAIGN_OFFICE = "campaign_office", _("攻坚办")
    WORKING_GROUP = "working_group", _("工作组")
    HEADQUARTERS = "headquarters", _("指挥部")


class Front(models.TextChoices):
    """战线: the campaign's lines of work a force or a supply serves."""

    GENERAL = "general", _("综合协调")
    DUST = "dust", _("扬尘治理")
    BURNING = "burning", _("散煤/秸秆禁烧")
    VEHICLES = "vehicles", _("机动车")
    INDUSTRY = "industry", _("工业源")
    COOKING = "cooking", _("餐饮油烟")
    FIREWORKS = "fireworks", _("烟花爆竹禁放")


class TaskForce(models.Model):
    """专班 / 攻坚办 / 工作组: owned by a unit, working on a front, with duties and a leader."""

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=ForceKind.choices)
    owner = models.ForeignKey(
        Region, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="task_forces"
    )
    front = models.CharField(_("战线"), max_length=20, choices=Front.choices)
    duties = models.TextField(_("职责"), blank=True)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_forces",
    )
    established = models.DateField(_("成立日期"))
    dissolved = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        ordering = ["owner__code", "kind", "name"]
        verbose_name = _("专班")
        verbose_name_plural = _("专班")
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved__isnull=True) | Q(dissolved__gte=models.F("established")),
                name="force_dissolved_after_established",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    LIAISON = "liaison", _("联络员")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: object = None) -> MembershipQuerySet:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Membership(models.Model):
    """A person in a force from start_date to end_date (history kept, like `people.Post`).
    Seconded staff (借调/下沉) come from a home unit and are sent to a street (`posted_to`)."""

    force = models.ForeignKey(
        TaskForce, verbose_name=_("专班"), on_delete=models.PROTECT, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="force_memberships"
    )
    role = models.CharField(
        _("专班职务"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    home_unit = models.ForeignKey(
        Region, verbose_name=_("原单位"), on_delete=models.PROTECT, related_name="+"
    )
    seconded = models.BooleanField(_("借调/下沉"), default=False)
    posted_to = models.ForeignKey(
        Region,
        verbose_name=_("派驻街道/镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seconded_staff",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["force", "role", "start_date", "pk"]
        verbose_name = _("专班成员")
        verbose_name_plural = _("专班成员")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(seconded=False) | Q(posted_to__isnull=False),
                name="seconded_has_posting",
            ),
        ]
        indexes = [models.Index(fields=["posted_to", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.force}"


class Shift(models.TextChoices):
    DAY = "day", _("白班")
    NIGHT = "night", _("夜班")
    FULL = "full", _("全天")


class DutyShift(models.Model):
    """值班表: who is on duty for a force on a day and shift."""

    force = models.ForeignKey(
        TaskForce, verbose_name=_("专班"), on_delete=models.CASCADE, related_name="duties_rota"
    )
    date = models.DateField(_("日期"))
    shift = models.CharField(_("班次"), max_length=10, choices=Shift.choices)
    person = models.ForeignKey(Person, verbose_name=_("值班人员"), on_delete=models.PROTECT)
    leader = models.BooleanField(_("带班领导"), default=False)

    class Meta:
        ordering = ["date", "shift", "-leader", "pk"]
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        constraints = [
            models.UniqueConstraint(
                fields=["force", "date", "shift", "person"], name="uniq_duty_shift"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()} {self.person}"


class SupplyKindQuerySet(models.QuerySet["SupplyKind"]):
    def for_user(self, user: Account) -> SupplyKindQuerySet:
        """Every supply kind: a reference list any account may read."""
        return self.all()


class SupplyKind(models.Model):
    """物资种类: 雾炮车, 防尘网 (m²), 抑尘剂 (吨) … with its unit of measure."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    unit = models.CharField(_("计量单位"), max_length=10)
    whole = models.BooleanField(_("整数计量"), default=True, help_text=_("车辆、设备按台计"))
    front = models.CharField(_("战线"), max_length=20, choices=Front.choices, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = SupplyKindQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("物资种类")
        verbose_name_plural = _("物资种类")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Depot(models.Model):
    """物资存放点: a unit's store (the unit owns it), a place and an optional point."""

    name = models.CharField(_("名称"), max_length=80)
    owner = models.ForeignKey(
        Region, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="depots"
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["owner__code", "name"]
        verbose_name = _("物资存放点")
        verbose_name_plural = _("物资存放点")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    REQUESTED = "requested", _("申请")
    APPROVED = "approved", _("批准")
    REJECTED = "rejected", _("驳回")
    HANDED_OVER = "handed_over", _("已交接")


class SupplyRequest(models.Model):
    """物资申请 from a street or community; the depot is chosen when it is approved."""

    kind = models.ForeignKey(SupplyKind, verbose_name=_("物资"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Region, verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = amount_field(_("申请数量"))
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    depot = models.ForeignKey(
        Depot, verbose_name=_("调出存放点"), null=True, blank=True, on_delete=models.PROTECT
    )
    approved_quantity = amount_field(_("批准数量"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("物资申请")
        verbose_name_plural = _("物资申请")
        permissions = [("handle_supplyrequest", _("可审批物资申请、调拨和交接"))]
        indexes = [models.Index(fields=["status", "depot"])]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.kind.name} {self.quantity}"


class RequestStep(models.Model):
    """One change of a request's status: who, when, from, to, why."""

    request = models.ForeignKey(
        SupplyRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("申请")
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=50, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("申请流转记录")
        verbose_name_plural = _("申请流转记录")

    def __str__(self) -> str:
        return f"#{self.request_id} {self.from_status} → {self.to_status}"


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def for_user(self, user: Account) -> AllocationQuerySet:
        """Allocations to units, or from depots, in the account's scope
        (``services.allocations_for``)."""
        from gridgov.forces.services import allocations_for

        # The helper filters this queryset, so the rows keep its class.
        return cast(AllocationQuerySet, allocations_for(user, self))


class Allocation(models.Model):
    """调拨: supplies leaving a depot for a street or community, by decision or on a request."""

    kind = models.ForeignKey(SupplyKind, verbose_name=_("物资"), on_delete=models.PROTECT)
    depot = models.ForeignKey(Depot, verbose_name=_("调出存放点"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Region, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = amount_field(_("数量"))
    date = models.DateField(_("调拨日期"))
    purpose = models.CharField(_("用途"), max_length=200)
    request = models.OneToOneField(
        SupplyRequest,
        verbose_name=_("物资申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocation",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("物资调拨")
        verbose_name_plural = _("物资调拨")

    def __str__(self) -> str:
        return f"{self.kind.name} {self.quantity} → {self.unit.name}"


class Handover(models.Model):
    """交接: who gave, who received, when and how much — the moment stock leaves the depot."""

    allocation = models.OneToOneField(
        Allocation, verbose_name=_("调拨"), on_delete=models.PROTECT, related_name="handover"
    )
    given_by = models.CharField(_("交付人"), max_length=50)
    received_by = models.CharField(_("接收人"), max_length=50)
    at = models.DateTimeField(_("交接时间"))
    quantity = amount_field(_("交接数量"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("物资交接")
        verbose_name_plural = _("物资交接")

    def __str__(self) -> str:
        return f"{self.given_by} → {self.received_by} {self.quantity}"


class MovementReason(models.TextChoices):
    STOCK_IN = "stock_in", _("入库")
    ALLOCATION = "allocation", _("调拨出库")
    RETURN = "return", _("归还入库")
    ADJUST = "adjust", _("盘点调整")


class SupplyMovement(models.Model):
    """台账: one row per change of a depot's stock of a kind (signed quantity). Never edited."""

    depot = models.ForeignKey(
        Depot, verbose_name=_("存放点"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.ForeignKey(SupplyKind, verbose_name=_("物资"), on_delete=models.PROTECT)
    quantity = amount_field(_("变动数量"))
    reason = models.CharField(_("类别"), max_length=20, choices=MovementReason.choices)
    allocation = models.ForeignKey(
        Allocation, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("物资台账")
        verbose_name_plural = _("物资台账")
        indexes = [models.Index(fields=["depot", "kind"])]

    def __str__(self) -> str:
        return f"{self.depot} {self.kind.name} {self.quantity:+}"
