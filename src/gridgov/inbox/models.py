"""The inbox (消息) and commands (指令): the shared layer every front notifies through.

The tables keep the names they had under the work orders (`workorders_notification`, ...): the
models moved, the data did not. A notice is about a generic subject (a work order, a warning,
...; `subject_type` + `subject_id`), which the subject's app links to through `gridgov.inbox.links`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
