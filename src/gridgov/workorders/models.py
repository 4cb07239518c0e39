"""Events (事件), work orders (工单), their audit trail (流转记录), deadlines, escalations (升级),
supervision (督办), extensions (延期) and evidence (附件). The notices about an order live in the
inbox (`gridgov.inbox`), reached from an order as `order.notifications`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.people.models import Person
from gridgov.territory.models import Region, WorkLine
from gridgov.workorders.querysets import (
    AttachmentQuerySet,
    CategoryQuerySet,
    EventQuerySet,
    WorkOrderQuerySet,
)
from gridgov.workorders.states import State


class Priority(models.IntegerChoices):
    URGENT = 1, _("特急")
    HIGH = 2, _("紧急")
    NORMAL = 3, _("一般")


class Source(models.TextChoices):
    PATROL = "patrol", _("网格员巡查")
    AIR_ALARM = "air_alarm", _("空气监测报警")
    CITIZEN = "citizen", _("群众上报")
    HOTLINE = "hotline", _("12345热线")
    COMMAND = "command", _("指挥中心指令")
    INSPECTION = "inspection", _("检查发现")
    MONITOR = "monitor", _("污染源自动监控")  # a source's own monitor (dust, fume, power)
    UPKEEP = "upkeep", _("监测设备运维")  # a station's fault, calibration due or long silence
    SATELLITE = "satellite", _("卫星遥感火点")  # fire points from the ecology department
    CAMERA = "camera", _("视频智能识别")  # a camera system's AI alert


class Category(models.Model):
    """事件类别: a two-level taxonomy; a top-level row groups, a second-level row is chosen."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    line = models.ForeignKey(
        WorkLine, verbose_name=_("责任条线"), null=True, blank=True, on_delete=models.PROTECT
    )
    default_priority = models.PositiveSmallIntegerField(
        _("默认紧急程度"), choices=Priority.choices, default=Priority.NORMAL
    )
    public = models.BooleanField(_("群众可选"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.parent_id and self.parent and self.parent.parent_id:
            raise ValueError("categories have two levels")
        super().save(*args, **kwargs)


class DeadlinePolicy(models.Model):
    """处置时限: minutes allowed for each step, per category (or all) and priority.

    The most specific row wins: the category's own, then its parent's, then the default row
    (no category). `working_time` counts only working minutes on China's working calendar.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE
    )
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices)
    dispatch_minutes = models.PositiveIntegerField(_("派遣时限(分钟)"))
    sign_minutes = models.PositiveIntegerField(_("签收时限(分钟)"))
    handle_minutes = models.PositiveIntegerField(_("处置时限(分钟)"))
    verify_minutes = models.PositiveIntegerField(_("核查时限(分钟)"))
    working_time = models.BooleanField(_("按工作时间计"), default=False)
    warn_percent = models.PositiveSmallIntegerField(
        _("预警点(%)"), default=80, help_text=_("时限用去此比例时黄色预警")
    )

    class Meta:
        verbose_name = _("处置时限")
        verbose_name_plural = _("处置时限")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"], name="uniq_deadline_category_priority"
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(category__isnull=True),
                name="uniq_default_deadline_priority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('默认')} · {self.get_priority_display()}"


class Event(models.Model):
    """事件: something found, from any source, at a place that belongs to a grid."""

    reference = models.CharField(_("编号"), max_length=20, unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("描述"), blank=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The grid (or, outside every grid, the unit that took it) as it was when reported: kept
    # even if the boundaries change later. `region_path` scopes it without a join.
    region = models.ForeignKey(
        Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="events"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    # A citizen's or caller's own details: never shown on the public page or in Open311.
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    # Public: a link the reporter gave to a photo or video (Open311 media_url), http(s) only.
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    alarm = models.OneToOneField(
        "air.Alarm",
        verbose_name=_("空气报警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event",
    )
    # The registered pollution source the handler found responsible (处置时认定的污染源).
    pollution_source = models.ForeignKey(
        "sources.PollutionSource",
        verbose_name=_("认定污染源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    # A client's idempotency key: a report re-sent after a lost answer is not filed twice.
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    public = models.BooleanField(
        _("公开"),
        default=False,
        help_text=_("在公开查询和 Open311 中展示（群众上报的事件始终公开）"),
    )
    created_at = models.DateTimeField(_("上报时间"), db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        indexes = [models.Index(fields=["category", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class WorkOrder(models.Model):
    """工单: the job of dealing with one event, from 待受理 to 已结案 (or 作废)."""

    event = models.OneToOneField(
        Event, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="order"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REPORTED, db_index=True
    )
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices)
    # The unit that holds it (dispatching) and the person it is dispatched to.
    unit = models.ForeignKey(
        Region, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    sent_by_unit = models.ForeignKey(
        Region,
        verbose_name=_("派遣单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("退回时回到此单位"),
    )
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    assignee_post = models.CharField(_("承办岗位"), max_length=40, blank=True)
    handled_by = models.ForeignKey(
        Person,
        verbose_name=_("处置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The current timed step: its deadline, when it turns yellow, and a sequence number that
    # changes with each new step so warnings and escalations happen once per step.
    step = models.CharField(_("当前环节"), max_length=12, blank=True)
    step_seq = models.PositiveIntegerField(default=0)
    step_started_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("时限"), null=True, blank=True, db_index=True)
    warned_seq = models.PositiveIntegerField(default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    # When the sweep must next look at this order to escalate it; null when nothing is pending.
    # Makes the every-minute sweep one indexed query however many orders are open.
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Whether the sweep has sent this step's overdue notice (a side effect, claimed once).
    # Whether an order *is* overdue is never read from here: see lateness.py.
    overdue_noticed = models.BooleanField(_("已发超期通知"), default=False)
    ever_overdue = models.BooleanField(_("曾超期"), default=False)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    # 重新打开: how often the reporter said a closed order was not fixed, and the last time (the
    # public deadline then runs again from it: lateness.public_deadline).
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    # Key times for statistics.
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    sign_late = models.BooleanField(default=False)
    handle_late = models.BooleanField(default=False)
    extended_until = models.DateTimeField(_("延期至"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    # The inbox's notices about this order (deleted with it); `Notification.objects.filter(
    # order=...)` reads through it.
    notifications = GenericRelation(
        "inbox.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="order",
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        permissions = [
            ("dispatch_workorder", _("可受理、派遣、结案工单")),
            ("verify_workorder", _("可核查工单")),
            ("supervise_workorder", _("可督办、审批延期")),
        ]
        indexes = [models.Index(fields=["assignee", "state"])]

    def __str__(self) -> str:
        return self.event.reference


class Transition(models.Model):
    """流转记录: one row per action, the audit trail and the source of every statistic."""

    # PROTECT: the audit trail outlives any attempt to delete its order (orders are voided).
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(_("动作"), max_length=24)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=60, blank=True)
    assignee = models.ForeignKey(
        Person, verbose_name=_("承办人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(_("说明"), blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class Escalation(models.Model):
    """升级: an overdue step sent one level up the chain. Unique, so a sweep repeated by a
    restarted or doubled worker never escalates twice."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(max_length=12)
    step_seq = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(_("升级层级"))
    region = models.ForeignKey(Region, verbose_name=_("升级至"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("超期升级")
        verbose_name_plural = _("超期升级")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "step_seq", "level"], name="uniq_escalation_step_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.region_id} ({self.level})"


class Supervision(models.Model):
    """督办: a superior's demand on an order, with its own deadline."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="supervisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.TextField(_("督办意见"))
    due_at = models.DateTimeField(_("督办时限"))
    created_at = models.DateTimeField()
    overdue_notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")

    def __str__(self) -> str:
        return f"{self.order_id} 督办 {self.due_at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """延期: requested by the assignee, approved or refused by a superior."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    until = models.DateTimeField(_("申请延期至"))
    reason = models.TextField(_("理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(null=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(approved__isnull=True), name="one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} 延期 {self.until:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """附件: a checked, resized photo on an event or a step, stored under the data dir."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    stage = models.CharField(_("阶段"), max_length=12, default="report")  # report, before, after
    file = models.CharField(max_length=200)  # relative to the data dir's media folder
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lon = models.FloatField(_("拍摄经度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.file


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Verdict(models.Model):
    """群众评价: the reporter's rating of one closure of a public order (by its reference number
    or the SMS link). One per closure: unique on the order and the closing time it rated, so
    a re-opened and re-closed order can be rated again. Nothing of who rated is kept."""

    class Via(models.TextChoices):
        REFERENCE = "reference", _("编号查询")
        LINK = "link", _("短信链接")

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="verdicts")
    closed_at = models.DateTimeField(_("所评结案时间"))
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices)
    via = models.CharField(_("途径"), max_length=10, choices=Via.choices)
    at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        constraints = [
            models.UniqueConstraint(fields=["order", "closed_at"], name="one_verdict_per_closure")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.rating}"
