"""新兴领域党建: new economic and new social organisations (两新组织) kept in a dynamic database,
the party-building instructors (党建指导员) assigned to them, their visits (走访), the regular
joint meetings (联席会), and the volunteers of the new-employment groups (新就业群体).

The database is dynamic: every change of an organisation (opened, moved, closed, party
organisation set up or dissolved, instructor assigned or ended) is one `OrgEvent` row, written by
services.py together with the change. Statistics "as of a date" read these rows (and the dated
assignments and visits), not only the organisation's current fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.people.models import Person, Post
from gridgov.territory.models import Region


class OrgKind(models.TextChoices):
    ECONOMIC = "economic", _("新经济组织")
    SOCIAL = "social", _("新社会组织")


class SocialForm(models.TextChoices):
    """The three legal forms of a new social organisation (社会组织)."""

    ASSOCIATION = "association", _("社会团体")
    FOUNDATION = "foundation", _("基金会")
    SERVICE = "service", _("社会服务机构")


class PartyOrg(models.TextChoices):
    """组织覆盖: a party organisation of its own, one shared with neighbours, or none."""

    NONE = "none", _("未建立")
    SINGLE = "single", _("单独建")
    JOINT = "joint", _("联合建")


class Organisation(models.Model):
    """A new economic organisation (enterprise) or new social organisation, in a grid."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=OrgKind.choices)
    social_form = models.CharField(
        _("社会组织类型"), max_length=12, choices=SocialForm.choices, blank=True
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    industry = models.CharField(_("行业"), max_length=40, blank=True)
    staff = models.PositiveIntegerField(_("从业人员数"), default=0)
    party_members = models.PositiveIntegerField(_("党员数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    grid = models.ForeignKey(
        Region, verbose_name=_("所在网格"), on_delete=models.PROTECT, related_name="organisations"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    party_org = models.CharField(
        _("党组织"), max_length=10, choices=PartyOrg.choices, default=PartyOrg.NONE
    )
    party_org_date = models.DateField(_("党组织成立日期"), null=True, blank=True)
    opened = models.DateField(_("纳入日期"))
    closed = models.DateField(_("注销/迁出日期"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["region_path", "name", "pk"]
        verbose_name = _("两新组织")
        verbose_name_plural = _("两新组织")
        permissions = [("view_contact", _("可查看两新组织与志愿者的联系人和电话"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed__isnull=True) | Q(closed__gte=models.F("opened")),
                name="org_closed_after_opened",
            )
        ]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    OPENED = "opened", _("纳入")
    MOVED = "moved", _("迁移")
    CLOSED = "closed", _("注销/迁出")
    PARTY_ORG = "party_org", _("党组织变化")
    ASSIGNED = "assigned", _("指导员到岗")
    UNASSIGNED = "unassigned", _("指导员离岗")
    CHANGED = "changed", _("信息变更")


class OrgEvent(models.Model):
    """One change of an organisation, dated (the day it happened) — never edited."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("变化"), max_length=12, choices=EventKind.choices)
    date = models.DateField(_("日期"))
    grid = models.ForeignKey(
        Region,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_org = models.CharField(_("党组织"), max_length=10, choices=PartyOrg.choices, blank=True)
    instructor = models.ForeignKey(
        Person,
        verbose_name=_("党建指导员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=50, blank=True)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("组织变化记录")
        verbose_name_plural = _("组织变化记录")
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.date}"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def current(self, on: object = None) -> AssignmentQuerySet:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Assignment(models.Model):
    """党建指导员 assigned to an organisation from start_date to end_date (history kept)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="assignments"
    )
    instructor = models.ForeignKey(
        Person,
        verbose_name=_("党建指导员"),
        on_delete=models.PROTECT,
        related_name="org_assignments",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "start_date", "pk"]
        verbose_name = _("指导员选派")
        verbose_name_plural = _("指导员选派")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="org_assignment_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.organisation}"


class Visit(models.Model):
    """走访: an instructor's visit to an organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="visits"
    )
    instructor = models.ForeignKey(
        Person, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="org_visits"
    )
    date = models.DateField(_("走访日期"))
    notes = models.TextField(_("走访情况"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [models.Index(fields=["organisation", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.instructor} · {self.organisation}"


class JointMeeting(models.Model):
    """联席会: a street's or community's regular meeting with the organisations."""

    date = models.DateField(_("会议日期"))
    unit = models.ForeignKey(
        Region, verbose_name=_("召集单位"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("议题"), max_length=200)
    minutes = models.TextField(_("会议纪要"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("参会组织"), related_name="meetings", blank=True
    )
    attendees = models.ManyToManyField(
        Person, verbose_name=_("参会人员"), related_name="+", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("联席会")
        verbose_name_plural = _("联席会")

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class WorkerGroup(models.TextChoices):
    COURIER = "courier", _("快递员")
    RIDER = "rider", _("外卖骑手")
    DRIVER = "driver", _("网约车司机")
    OTHER = "other", _("其他")


class Volunteer(models.Model):
    """A new-employment worker registered as a volunteer in a grid (with a `volunteer` post)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="gig_volunteering"
    )
    group = models.CharField(_("群体"), max_length=10, choices=WorkerGroup.choices)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("所在企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    grid = models.ForeignKey(
        Region, verbose_name=_("所在网格"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    registered = models.DateField(_("登记日期"))
    active = models.BooleanField(_("在册"), default=True)
    ended = models.DateField(_("退出日期"), null=True, blank=True)
    post = models.ForeignKey(
        Post, verbose_name=_("志愿者岗位"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["region_path", "-registered", "pk"]
        verbose_name = _("新就业群体志愿者")
        verbose_name_plural = _("新就业群体志愿者")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(active=True), name="uniq_active_gig_volunteer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_group_display()}"
