"""The inbox (消息) and commands (指令): the shared layer every front notifies through.

The tables keep the names they had under the work orders (`workorders_notification`, ...): the
models moved, the data did not. A notice is about a generic subject (a work order, a warning,
...; `subject_type` + `subject_id`), which the subject's app links to through `gridgov.inbox.links`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Person
from gridgov.territory.models import Region


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Account) -> NotificationQuerySet:
        """The account's own notices (nobody else's, whatever the account's scope)."""
        person = person_of(user)
        return self.filter(person=person) if person is not None else self.none()

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """消息: a line in a person's inbox. `key` makes each notice happen once."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("新派单")
        WARNING = "warning", _("临期预警")
        OVERDUE = "overdue", _("超期")
        ESCALATED = "escalated", _("超期升级")
        SUPERVISED = "supervised", _("督办")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("核查不通过")
        EXTENSION = "extension", _("延期")
        TO_VERIFY = "to_verify", _("待核查")
        COMMAND = "command", _("指令")
        BULLETIN = "bulletin", _("调度通报")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # What the notice is about, if anything: a row of any app (its app links to it).
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "workorders_notification"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="uniq_notification_key")
        ]
        indexes = [
            models.Index(fields=["person", "read_at"], name="workorders__person__17c94f_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="inbox_notice_subject"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def link(self) -> str:
        """The desk page of the subject ("" when none is registered)."""
        from gridgov.inbox.links import link_of

        return link_of(self)

    @property
    def phone_link(self) -> str:
        """The phone page of the subject, else its desk page ("" when none)."""
        from gridgov.inbox.links import link_of

        return link_of(self, phone=True)


class CommandQuerySet(models.QuerySet["Command"]):
    def for_user(self, user: Account) -> CommandQuerySet:
        """Commands the account issued, received, or that reached people in its regions."""
        paths = scope.scope_paths(user)
        if paths is scope.ALL:
            return self.all()
        if user is None or not user.is_authenticated:
            return self.none()
        q = Q(issued_by=user)
        person = person_of(user)
        if person is not None:
            q |= Q(recipients__person=person)
        q |= under_paths(paths, "recipients__region_path")
        return self.filter(q).distinct()


class Command(models.Model):
    """指令: the command office's instruction to units or people, with a deadline; every
    recipient's receipt (签收) and completion (完成) are timed."""

    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发令人"), on_delete=models.PROTECT
    )
    issuer_name = models.CharField(_("发令人姓名"), max_length=60)
    due_at = models.DateTimeField(_("完成时限"))
    created_at = models.DateTimeField(_("发布时间"), db_index=True)

    objects = CommandQuerySet.as_manager()

    class Meta:
        db_table = "workorders_command"
        ordering = ["-created_at"]
        verbose_name = _("指令")
        verbose_name_plural = _("指令")
        permissions = [("issue_command", _("可下达指令"))]

    def __str__(self) -> str:
        return self.title


class CommandRecipientQuerySet(models.QuerySet["CommandRecipient"]):
    def for_user(self, user: Account) -> CommandRecipientQuerySet:
        """Receipts in the account's scope or addressed to it."""
        paths = scope.scope_paths(user)
        if paths is scope.ALL:
            return self.all()
        q = under_paths(paths, "region_path")
        person = person_of(user)
        if person is not None:
            q |= Q(person=person)
        return self.filter(q)


class CommandRecipient(models.Model):
    command = models.ForeignKey(Command, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, verbose_name=_("接收人"), on_delete=models.PROTECT)
    region = models.ForeignKey(
        Region, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.TextField(_("完成情况"), blank=True)
    overdue_notified = models.BooleanField(default=False)

    objects = CommandRecipientQuerySet.as_manager()

    class Meta:
        db_table = "workorders_commandrecipient"
        ordering = ["region__code", "person__name"]
        verbose_name = _("指令接收")
        verbose_name_plural = _("指令接收")
        constraints = [
            models.UniqueConstraint(fields=["command", "person"], name="uniq_command_person")
        ]

    def __str__(self) -> str:
        return f"{self.command_id} → {self.person_id}"


class CommandAttachmentQuerySet(models.QuerySet["CommandAttachment"]):
    def for_user(self, user: Account) -> CommandAttachmentQuerySet:
        """Documents of the commands the account may see (``Command.objects.for_user``)."""
        return self.filter(command__in=Command.objects.for_user(user).values("pk"))


class CommandAttachment(models.Model):
    """指令附件: a document or photo sent with a command (PDF, Office, image), by content."""

    command = models.ForeignKey(Command, on_delete=models.CASCADE, related_name="attachments")
    file = models.CharField(max_length=200)  # relative to the media folder
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()

    objects = CommandAttachmentQuerySet.as_manager()

    class Meta:
        db_table = "workorders_commandattachment"
        ordering = ["created_at", "pk"]
        verbose_name = _("指令附件")
        verbose_name_plural = _("指令附件")

    def __str__(self) -> str:
        return self.original_name


# --- Real messages (消息推送): preferences, group robots, deliveries --------------------------

# 紧急消息: sent at once, whatever the quiet hours or the digest; by default also by SMS.
URGENT_KINDS = frozenset(
    {
        Notification.Kind.OVERDUE,
        Notification.Kind.ESCALATED,
        Notification.Kind.SUPERVISED,
        Notification.Kind.COMMAND,
    }
)


class Channel(models.TextChoices):
    """The channels a Delivery goes by (the inbox itself is always there)."""

    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


PERSON_CHANNELS = (Channel.SMS, Channel.EMAIL)  # a person's own (the robots are a unit's)


class NoticeSettings(models.Model):
    """消息设置: one person's channels per kind of notice, quiet hours (China time) and digest.
    A person without a row has the defaults (`gridgov.inbox.preferences`)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="notice_settings")
    # {kind: [channel, ...]}; a kind not named keeps its default.
    channels = models.JSONField(_("各类消息的通道"), default=dict, blank=True)
    quiet = models.BooleanField(_("免打扰"), default=True)
    quiet_from = models.TimeField(_("免打扰开始"), default=dt.time(22, 0))
    quiet_until = models.TimeField(_("免打扰结束"), default=dt.time(7, 0))
    digest = models.BooleanField(_("非紧急消息每日汇总"), default=False)
    digest_at = models.TimeField(_("汇总发送时间"), default=dt.time(18, 0))

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")

    def __str__(self) -> str:
        return str(self.person)


class GroupRobot(models.Model):
    """群机器人: a unit's WeCom or DingTalk group, told of the notices of the people holding a
    post in that unit (once per notice, however many of them receive it)."""

    region = models.ForeignKey(
        Region, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=60)
    provider = models.CharField(
        _("平台"),
        max_length=10,
        choices=[(Channel.WECOM, Channel.WECOM.label), (Channel.DINGTALK, Channel.DINGTALK.label)],
    )
    webhook = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉“加签”安全设置的密钥")
    )
    kinds = models.CharField(
        _("推送的消息类型"),
        max_length=200,
        default=",".join(sorted(URGENT_KINDS)),
        help_text=_("以逗号分隔的类型代码，如 overdue,escalated,command"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self) -> str:
        return self.name

    def kind_set(self) -> set[str]:
        return {k.strip() for k in self.kinds.split(",") if k.strip()}

    def clean(self) -> None:
        unknown = self.kind_set() - set(Notification.Kind.values)
        if unknown:
            raise ValidationError({"kinds": _("未知的消息类型：%s") % ", ".join(sorted(unknown))})


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def for_user(self, user: Account) -> DeliveryQuerySet:
        """Deliveries to people holding a post in the account's scope, and to its units' robots;
        a citizen's SMS only for an account that sees everything."""
        paths = scope.scope_paths(user)
        if paths is scope.ALL:
            return self.all()
        if not paths:
            return self.none()
        people = Person.objects.for_user(user).values("pk")
        return self.filter(Q(person__in=people) | under_paths(paths, "region_path"))


class Delivery(models.Model):
    """投递: one notice by one channel to one target (a phone, an address, a group robot), sent by
    the worker with retries. Unique per (channel, target, key): the same notice is never sent
    twice to a target (a robot's key is the notice's key, so a unit's group hears it once)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败待重试")
        GIVEN_UP = "given_up", _("已放弃")
        DIGEST = "digest", _("待每日汇总")
        MERGED = "merged", _("已并入汇总")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("接收人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    robot = models.ForeignKey(
        GroupRobot, verbose_name=_("群机器人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    channel = models.CharField(_("通道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("目标"), max_length=254)
    key = models.CharField(max_length=160)
    kind = models.CharField(_("类型"), max_length=16, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"))
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    provider_id = models.CharField(_("平台消息编号"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        constraints = [
            models.UniqueConstraint(fields=["channel", "target", "key"], name="uniq_delivery")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="inbox_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk}"

    @property
    def kind_label(self) -> str:
        """The notice's kind as read (空 for a citizen's SMS or a digest)."""
        return (
            str(Notification.Kind(self.kind).label) if self.kind in Notification.Kind.values else ""
        )

    @property
    def masked_target(self) -> str:
        """The target as a page may show it: a phone's middle four digits hidden (138****1234),
        an address's name cut to its first letter, a robot by its name."""
        return mask_target(self.channel, self.target, self.robot)


def mask_target(channel: str, target: str, robot: GroupRobot | None = None) -> str:
    if channel == Channel.SMS:
        return target[:3] + "****" + target[7:] if len(target) >= 8 else "****"
    if channel == Channel.EMAIL:
        name, _sep, domain = target.partition("@")
        return f"{name[:1]}***@{domain}"
    return robot.name if robot is not None else "—"
