"""执法办案: cases against a source or a party, their steps (audit rows, never deleted), legal
bases, documents, and the public exposure board's publications (曝光台)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.enforcement.steps import Step
from gridgov.inspections.models import Inspection, Rectification
from gridgov.sources.models import PollutionSource
from gridgov.territory.models import Region


class PartyKind(models.TextChoices):
    ORG = "org", _("单位")
    PERSON = "person", _("个人")


class LegalBasisQuerySet(models.QuerySet["LegalBasis"]):
    def for_user(self, user: Account) -> LegalBasisQuerySet:
        """Every legal basis: a reference list any account may read."""
        return self.all()


class LegalBasis(models.Model):
    """法律依据: an article (and paragraph) with the fine it allows; a configurable list."""

    law = models.CharField(_("法律法规"), max_length=60)
    article = models.CharField(_("条款"), max_length=40)
    text = models.TextField(_("条文要点"))
    # Empty party kind: the range applies to any party.
    party_kind = models.CharField(
        _("适用当事人"), max_length=8, choices=PartyKind.choices, blank=True
    )
    penalty_min = models.DecimalField(
        _("罚款下限(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    penalty_max = models.DecimalField(
        _("罚款上限(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = LegalBasisQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


class CaseDeadline(models.Model):
    """办案时限: the step must be reached within `days` of entering the step before it, or of
    filing (`from_filing`: 行政处罚法第六十条, the decision within 90 days of 立案)."""

    step = models.CharField(_("环节"), max_length=16, choices=Step.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("期限(天)"))
    from_filing = models.BooleanField(_("自立案起算"), default=False)
    working_days = models.BooleanField(_("按工作日计"), default=False)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("办案时限")
        verbose_name_plural = _("办案时限")

    def __str__(self) -> str:
        return f"{self.step} {self.days}"


class Case(models.Model):
    """执法案件."""

    class Origin(models.TextChoices):
        INSPECTION = "inspection", _("巡查检查")
        ORDER = "order", _("工单")
        MANUAL = "manual", _("直接立案")

    reference = models.CharField(_("案号"), max_length=20, unique=True)
    title = models.CharField(_("案由"), max_length=120)
    source = models.ForeignKey(
        PollutionSource,
        verbose_name=_("污染源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    party_kind = models.CharField(_("当事人类型"), max_length=8, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人名称"), max_length=100)
    # 统一社会信用代码 for an organisation, 身份证号码 for a person (masked on every page).
    party_code = models.CharField(_("证照号码"), max_length=18, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    origin = models.CharField(_("案件来源"), max_length=12, choices=Origin.choices)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    step = models.CharField(
        _("环节"), max_length=16, choices=Step.choices, default=Step.FILED, db_index=True
    )
    step_at = models.DateTimeField(_("进入环节时间"))
    due_date = models.DateField(_("本环节期限"), null=True, blank=True, db_index=True)
    facts = models.TextField(_("违法事实"), blank=True)
    legal_bases = models.ManyToManyField(
        LegalBasis, verbose_name=_("法律依据"), blank=True, related_name="cases"
    )
    penalty_amount = models.DecimalField(
        _("罚款金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Why an amount lies outside every chosen basis' range (从轻/减轻处罚…).
    amount_reason = models.CharField(_("裁量说明"), max_length=500, blank=True)
    decision = models.TextField(_("处罚决定"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    rectification_required = models.BooleanField(_("责令整改"), default=False)
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("整改记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("立案时间"), db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # Every step reached by its deadline (kept up to date by `advance`).
    late_steps = models.PositiveSmallIntegerField(_("超期环节数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        permissions = [
            ("handle_case", _("可办理执法案件")),
            ("view_party_identity", _("可查看当事人完整证件号码和电话")),
            ("approve_publication", _("可审核曝光")),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseStep(models.Model):
    """办案记录: one row per move, the audit trail (never deleted)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    from_step = models.CharField(_("原环节"), max_length=16, blank=True)
    to_step = models.CharField(_("新环节"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=60, blank=True)
    note = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("期限"), null=True, blank=True)
    late = models.BooleanField(_("超期"), default=False)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("办案记录")
        verbose_name_plural = _("办案记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_step}→{self.to_step}"


class CaseDocumentQuerySet(models.QuerySet["CaseDocument"]):
    def for_user(self, user: Account) -> CaseDocumentQuerySet:
        """Documents of the cases the account may see (``services.cases_for``)."""
        from gridgov.enforcement.services import cases_for

        return self.filter(case__in=cases_for(user))


class CaseDocument(models.Model):
    """案卷材料: a PDF/Office file or an image (checked by content), or a photo from the
    inspection the case came from."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    file = models.CharField(max_length=200)  # relative to the media folder
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = CaseDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("案卷材料")
        verbose_name_plural = _("案卷材料")

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Publication(models.Model):
    """曝光: a case proposed for the public board, live once a second person approves it;
    unpublishing is recorded on the row (never deleted)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="publications")
    title = models.CharField(_("曝光标题"), max_length=120)
    summary = models.TextField(_("曝光内容"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by_name = models.CharField(_("提请人"), max_length=60, blank=True)
    proposed_at = models.DateTimeField(_("提请时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(_("审核人"), max_length=60, blank=True)
    approved_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    unpublished_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unpublished_by_name = models.CharField(_("撤下人"), max_length=60, blank=True)
    unpublish_reason = models.CharField(_("撤下原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-approved_at", "-proposed_at", "-pk"]
        verbose_name = _("曝光")
        verbose_name_plural = _("曝光")

    def __str__(self) -> str:
        return f"{self.case_id} {self.proposed_at:%Y-%m-%d}"

    @property
    def live(self) -> bool:
        return self.approved_at is not None and self.unpublished_at is None

    @property
    def state(self) -> str:
        if self.unpublished_at is not None:
            return "unpublished"
        return "published" if self.approved_at is not None else "proposed"


class PublicationPhoto(models.Model):
    """A re-encoded copy (no EXIF, resized) of a case photo, the only image the public sees."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="photos")
    document = models.ForeignKey(
        CaseDocument, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file
