"""调度会 (dispatch meetings): who met, what was said (表态发言) and what was decided (议定事项).

A decision's progress is not stored here: it is read from the command (指令) the decision
became when the minutes were issued, so it cannot drift from what the units actually did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.inbox.models import Command
from gridgov.people.models import Person
from gridgov.territory.models import Region


class Kind(models.TextChoices):
    DISPATCH = "dispatch", _("调度会")
    PROGRESS = "progress", _("推进会")
    TOPICAL = "topical", _("专题会")


class State(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    HELD = "held", _("已召开")
    ISSUED = "issued", _("纪要已印发")


class Role(models.TextChoices):
    ATTEND = "attend", _("出席")
    SIT_IN = "sit_in", _("列席")


class Presence(models.TextChoices):
    PRESENT = "present", _("到会")
    ABSENT = "absent", _("缺席")
    LEAVE = "leave", _("请假")


class Meeting(models.Model):
    """A meeting convened by a unit. `previous` is the meeting it follows: its open decisions,
    and those it carried over itself, open this one (上次会议议定事项落实情况)."""

    title = models.CharField(_("会议名称"), max_length=120)
    kind = models.CharField(_("会议类型"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("会议时间"), db_index=True)
    place = models.CharField(_("会议地点"), max_length=120)
    convener = models.ForeignKey(
        Region, verbose_name=_("召集单位"), on_delete=models.PROTECT, related_name="+"
    )
    chair = models.ForeignKey(
        Person,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("会议概况"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上次会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="following",
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    issued_at = models.DateTimeField(_("纪要印发时间"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("调度会议")
        verbose_name_plural = _("调度会议")
        permissions = [("issue_minutes", _("可印发会议纪要"))]

    def __str__(self) -> str:
        return self.title


class Step(models.Model):
    """One change of a meeting's state (the audit trail): who, when, from, to."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=60)
    from_state = models.CharField(max_length=8, choices=State.choices)
    to_state = models.CharField(max_length=8, choices=State.choices)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("会议状态变更")
        verbose_name_plural = _("会议状态变更")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.from_state} → {self.to_state}"


class Attendee(models.Model):
    """出席/列席: a unit or a person (one of the two), and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    region = models.ForeignKey(
        Region,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("身份"), max_length=8, choices=Role.choices, default=Role.ATTEND)
    presence = models.CharField(
        _("到会情况"), max_length=8, choices=Presence.choices, default=Presence.PRESENT
    )
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("参会")
        verbose_name_plural = _("参会")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, person__isnull=True)
                | Q(region__isnull=True, person__isnull=False),
                name="attendee_unit_or_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "region"],
                condition=Q(region__isnull=False),
                name="uniq_attendee_unit",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="uniq_attendee_person",
            ),
        ]

    def __str__(self) -> str:
        return str(self.region or self.person)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("议程"), max_length=200)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("会议议程")
        verbose_name_plural = _("会议议程")

    def __str__(self) -> str:
        return self.text


class Statement(models.Model):
    """表态发言: a unit's speaker and what they said."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="statements")
    position = models.PositiveSmallIntegerField(_("序号"))
    unit = models.ForeignKey(
        Region, verbose_name=_("发言单位"), on_delete=models.PROTECT, related_name="+"
    )
    speaker = models.ForeignKey(
        Person,
        verbose_name=_("发言人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("发言内容"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("表态发言")
        verbose_name_plural = _("表态发言")

    def __str__(self) -> str:
        return self.text[:40]


class Commitment(models.Model):
    """承诺事项: what a speaker promised, by when (if said)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(_("承诺内容"), max_length=300)
    deadline = models.DateField(_("承诺时限"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")

    def __str__(self) -> str:
        return self.text


class Decision(models.Model):
    """议定事项: becomes one command (指令) to its owner units when the minutes are issued."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定内容"))
    owners = models.ManyToManyField(Region, verbose_name=_("责任单位"), related_name="+")
    deadline = models.DateField(_("完成时限"))
    command = models.OneToOneField(
        Command,
        verbose_name=_("指令"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decision",
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")

    def __str__(self) -> str:
        return self.text[:40]
