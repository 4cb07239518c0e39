"""R&D and construction projects (项目): the portfolio of the district's funded projects — who
applied, under which plan, what was granted and spent (a dated ledger: spent is its sum), the
milestones (节点) with their planned and done dates, the status with its dated history, the
responsible officials, the owning unit (the district or a street), a location in a grid, and the
documents. services.py is the only writer."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people.models import Person
from gridgov.territory.models import Region


def money_field(label: Any, **kwargs: Any) -> models.DecimalField:
    """万元, two decimals, up to 9,999,999,999.99."""
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


class Kind(models.TextChoices):
    RD = "rd", _("研发/科技项目")
    CONSTRUCTION = "construction", _("建设项目")


class Plan(models.TextChoices):
    """计划/资金渠道."""

    CITY_ST = "city_st", _("市科技计划")
    PROVINCIAL = "provincial", _("省级资金")
    CENTRAL = "central", _("中央预算内")
    DISTRICT = "district", _("区级财政")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    APPLIED = "applied", _("申报")
    APPROVED = "approved", _("立项")
    ONGOING = "ongoing", _("在建/实施中")
    ACCEPTANCE = "acceptance", _("验收")
    COMPLETED = "completed", _("完成")
    TERMINATED = "terminated", _("终止")


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user: Account) -> ProjectQuerySet:
        """Projects whose owning unit or grid lies in the account's scope
        (``services.projects_for``)."""
        from gridgov.projects.services import projects_for

        # The helper filters this queryset, so the rows keep its class.
        return cast(ProjectQuerySet, projects_for(user, self))


class Project(models.Model):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类型"), max_length=20, choices=Kind.choices)
    applicant = models.CharField(_("申报单位"), max_length=200)
    plan = models.CharField(_("计划类别"), max_length=20, choices=Plan.choices)
    plan_text = models.CharField(_("计划名称"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    granted = money_field(_("批复资金（万元）"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    owner = models.ForeignKey(
        Region, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects"
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    grid = models.ForeignKey(
        Region,
        verbose_name=_("所在网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="located_projects",
    )
    summary = models.TextField(_("项目简介"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.CheckConstraint(condition=Q(granted__gte=0), name="project_granted_positive"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__isnull=False, lon__isnull=False),
                name="project_point_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StatusChange(models.Model):
    """One dated change of a project's status: from, to, on which day, who, why."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=50, blank=True)
    at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("项目状态记录")
        verbose_name_plural = _("项目状态记录")

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_status} → {self.to_status}"


class Milestone(models.Model):
    """节点: a step with its planned date; done when its done date is set."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点名称"), max_length=200)
    planned = models.DateField(_("计划完成日期"))
    done = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        ordering = ["planned", "pk"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, day: Any) -> bool:
        """Not done and past its planned date."""
        return self.done is None and self.planned < day

    @property
    def late(self) -> bool:
        """Done after its planned date."""
        return self.done is not None and self.done > self.planned


class Spending(models.Model):
    """One dated row of the spending ledger (万元); a correction is a negative row with a note.
    Never edited: what was spent is the sum."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="spendings"
    )
    date = models.DateField(_("支出日期"))
    amount = money_field(_("金额（万元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("登记人"), max_length=50, blank=True)
    at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("资金支出")
        verbose_name_plural = _("资金支出")

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class OfficialRole(models.TextChoices):
    LEAD = "lead", _("负责人")
    LIAISON = "liaison", _("联络人")


class Official(models.Model):
    """A person of the platform responsible for the project."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="officials"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="projects"
    )
    role = models.CharField(_("职责"), max_length=20, choices=OfficialRole.choices)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("项目责任人")
        verbose_name_plural = _("项目责任人")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person", "role"], name="uniq_project_official"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class Document(models.Model):
    """A stored file of the project (批复, 合同, 验收报告, 照片), recognised by its content."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("标题"), max_length=100, blank=True)
    file = models.CharField(_("文件"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("项目文件")
        verbose_name_plural = _("项目文件")

    def __str__(self) -> str:
        return self.title or self.original_name
