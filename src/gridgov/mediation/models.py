"""人民调解: mediation committees (调解委员会) of streets and communities, the trainings of
mediators (mediators are people holding a current `mediator` post, people.Post), and dispute
cases (矛盾纠纷/调解案件) with their parties, sessions, outcome, agreement (调解协议书),
judicial confirmation (司法确认), follow-up visits (回访) and a history of every step.

A case moves 受理 → 调解中 → 调解成功 / 调解不成 / 已转办 → 回访完成 → 已归档; services.py is
the only writer and records each move as a `CaseStep`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people.models import Person
from gridgov.territory.models import Region


class Committee(models.Model):
    """调解委员会 of a street (街道调委会) or a community (社区/村调委会)."""

    name = models.CharField(_("名称"), max_length=80)
    unit = models.ForeignKey(
        Region, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="committees"
    )
    director = models.ForeignKey(
        Person,
        verbose_name=_("主任"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directed_committees",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("办公地点"), max_length=200, blank=True)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("调解委员会")
        verbose_name_plural = _("调解委员会")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="uniq_committee")]

    def __str__(self) -> str:
        return self.name


class Training(models.Model):
    """培训: a session for mediators, organised by a unit; attendance per mediator."""

    topic = models.CharField(_("培训主题"), max_length=120)
    date = models.DateField(_("培训日期"))
    place = models.CharField(_("培训地点"), max_length=120)
    organiser = models.ForeignKey(
        Region, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=4)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("调解员培训")
        verbose_name_plural = _("调解员培训")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def for_user(self, user: Account) -> AttendanceQuerySet:
        """Attendance at the trainings the account may see (``services.trainings_for``)."""
        from gridgov.mediation.services import trainings_for

        return self.filter(training__in=trainings_for(user))


class Attendance(models.Model):
    training = models.ForeignKey(
        Training, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="trainings"
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["training", "person__name"]
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="uniq_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.training}"


class Kind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭纠纷")
    LABOUR = "labour", _("劳动争议/劳资纠纷")
    LAND = "land", _("土地承包纠纷")
    PROPERTY = "property", _("物业纠纷")
    DAMAGES = "damages", _("损害赔偿纠纷")
    CONSUMER = "consumer", _("消费纠纷")
    OTHER = "other", _("其他纠纷")


class CaseSource(models.TextChoices):
    WALK_IN = "walk_in", _("来访")
    GRID = "grid", _("网格排查")
    WORK_ORDER = "work_order", _("工单转办")
    COURT = "court", _("法院委托")
    PETITION = "petition", _("信访转办")


class State(models.TextChoices):
    RECEIVED = "received", _("已受理")
    MEDIATING = "mediating", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFERRED = "referred", _("已转办")
    FOLLOWED_UP = "followed_up", _("回访完成")
    ARCHIVED = "archived", _("已归档")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("调解成功，达成协议")
    FAILED = "failed", _("调解不成")
    COURT = "court", _("转诉讼")
    ARBITRATION = "arbitration", _("转仲裁")
    PETITION = "petition", _("转信访")


class Judicial(models.TextChoices):
    NONE = "", _("未申请")
    PENDING = "pending", _("已申请，待裁定")
    CONFIRMED = "confirmed", _("确认有效")
    REFUSED = "refused", _("不予确认")


class Case(models.Model):
    """矛盾纠纷/调解案件."""

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    kind = models.CharField(_("纠纷类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("纠纷简况"), max_length=120)
    facts = models.TextField(_("纠纷事实"), blank=True)
    amount = models.DecimalField(
        _("争议金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    grid = models.ForeignKey(
        Region, verbose_name=_("所在网格"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("发生地点"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=CaseSource.choices)
    referral = models.CharField(_("委托/转办单位及文号"), max_length=120, blank=True)
    order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("来源工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_case",
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("调解委员会"), on_delete=models.PROTECT, related_name="cases"
    )
    mediators = models.ManyToManyField(
        Person, verbose_name=_("调解员"), blank=True, related_name="mediated_cases"
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    received_on = models.DateField(_("受理日期"), db_index=True)
    outcome = models.CharField(_("调解结果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True, db_index=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    # 调解协议书
    terms = models.TextField(_("协议内容"), blank=True)
    perform_by = models.DateField(_("履行期限"), null=True, blank=True)
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    # 司法确认
    judicial = models.CharField(
        _("司法确认"), max_length=12, choices=Judicial.choices, blank=True, default=""
    )
    judicial_applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    judicial_court = models.CharField(_("受理法院"), max_length=80, blank=True)
    judicial_ruling = models.CharField(_("裁定书文号"), max_length=60, blank=True)
    judicial_decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    followup_days = models.PositiveSmallIntegerField(_("回访期限(天)"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        permissions = [
            ("view_party_identity", _("可查看当事人身份信息")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="case_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(followup_days__gte=1) & Q(followup_days__lte=365),
                name="case_followup_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")


class Party(models.Model):
    """当事人: personal data, shown only in scope and masked on exports and the API."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices)
    name = models.CharField(_("姓名/名称"), max_length=80)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号码/统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "role", "pk"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Session(models.Model):
    """调解记录: one sitting of the mediation."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("调解日期"))
    place = models.CharField(_("调解地点"), max_length=120)
    mediators = models.ManyToManyField(Person, verbose_name=_("调解员"), related_name="+")
    notes = models.TextField(_("调解经过"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["case", "date", "pk"]
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")

    def __str__(self) -> str:
        return f"{self.case.number} {self.date:%Y-%m-%d}"


class FollowUp(models.Model):
    """回访: due some days after the agreement is signed; done when visited."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="followups"
    )
    due_on = models.DateField(_("回访期限"), db_index=True)
    done_on = models.DateField(_("回访日期"), null=True, blank=True)
    performed = models.BooleanField(_("协议已履行"), null=True, blank=True)
    findings = models.TextField(_("回访情况"), blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["case", "due_on", "pk"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")

    def __str__(self) -> str:
        return f"{self.case.number} {self.due_on:%Y-%m-%d}"


class CaseStep(models.Model):
    """The case's history: who did what, when."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=60, blank=True)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["case", "at", "pk"]
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"
