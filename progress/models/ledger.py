from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from directives.models import Assignment, Indicator


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSURE_REQUESTED = "closure_requested", _("申请销号")
    CLOSED = "closed", _("已销号")
    WITHDRAWN = "withdrawn", _("已撤销")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


def progress_field(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name, default=0, validators=[MaxValueValidator(100)]
    )


class Milestone(models.Model):
    """A time node (时间节点) of an assignment: a dated deliverable with a named owner.

    Health is derived (see ``progress.health``), never stored. ``progress`` is the figure
    SASAC accepted: the progress of ``accepted_report``, the newest accepted ledger row (0
    before any). ``latest_report`` points at the newest row whatever its review state, so
    lists show a pending figure as pending without a per-row query.

    ``original_due_date`` is the due date the enterprise committed to; once its plan is
    approved only an extension SASAC grants moves ``due_date``, and ``extension_count``
    counts those.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("工作任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    start_date = models.DateField(_("开始日期"))
    due_date = models.DateField(pgettext_lazy("ledger column", "时间节点"), db_index=True)
    original_due_date = models.DateField(_("原定时间节点"))
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    responsible_person = models.CharField(_("责任人"), max_length=50)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_milestones",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN
    )
    progress = progress_field(_("进度(%)"))
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("撤销原因"), blank=True)
    latest_report = models.ForeignKey(
        "ProgressReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The latest report's submission time and review state, set with ``latest_report`` by the
    # ledger services, so the board sorts on them from an index instead of joining the ledger.
    latest_report_at = models.DateTimeField(null=True, editable=False)
    latest_review_state = models.CharField(max_length=10, choices=ReviewState.choices, null=True, editable=False)
    # The newest accepted report, whose progress ``progress`` carries, and whether it flags a
    # risk: health reads the flag without a subquery, and only what SASAC accepted.
    accepted_report = models.ForeignKey(
        "ProgressReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_report_at_risk = models.BooleanField(default=False, editable=False)
    # When the accepted report was submitted: the "long silent" flag (progress.silence) reads it.
    accepted_report_at = models.DateTimeField(null=True, editable=False)
    # The forecast's pace verdict (progress.forecast), kept by the ledger services so the
    # board's "at risk" filter reads a column instead of each milestone's recent reports.
    forecast_at_risk = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[
            "latest_report",
            "latest_report_at",
            "latest_review_state",
            "accepted_report",
            "accepted_report_at_risk",
            "accepted_report_at",
            "forecast_at_risk",
        ]
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        indexes = [
            models.Index(fields=["status", "due_date"], name="milestone_status_due"),
            # The board's sorts end on the id: these let a page be read in order, not sorted.
            models.Index(fields=["due_date", "id"], name="milestone_due_id"),
            models.Index(fields=["progress", "id"], name="milestone_progress_id"),
            models.Index(fields=["title", "id"], name="milestone_title_id"),
            models.Index(fields=["responsible_person", "id"], name="milestone_person_id"),
            models.Index(fields=["latest_report_at", "id"], name="milestone_report_at_id"),
            models.Index(fields=["latest_review_state", "id"], name="milestone_review_id"),
            # The board's "已延期" filter: the few milestones with a granted extension.
            models.Index(fields=["due_date", "id"], condition=Q(extension_count__gt=0), name="milestone_extended"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="milestone_progress_0_100"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("start_date")), name="milestone_due_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="milestone_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="milestone_withdrawn_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def enterprise(self):
        return self.assignment.enterprise


class ReportingPeriod(models.Model):
    """A reporting month. Once SASAC closes it, its reports are frozen."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("报送期")
        verbose_name_plural = _("报送期")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="period_is_first_of_month"),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class ProgressReport(models.Model):
    """One ledger (台账) row: a milestone's progress for one month."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(_("报送期"), help_text=_("该月第一天"))
    progress = progress_field(_("进度(%)"))
    work_done = models.TextField(_("进展情况"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    support_needed = models.TextField(_("需协调事项"), blank=True)
    at_risk = models.BooleanField(_("存在延期风险"), default=False)
    review_state = models.CharField(
        _("审核状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    is_late = models.BooleanField(_("逾期报送"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "milestone_id"]
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        indexes = [
            models.Index(fields=["review_state", "submitted_at"], name="report_review_queue"),
            # Health asks "does the latest report flag a risk?" for every milestone on the board:
            # this small index answers it without reading the whole ledger.
            models.Index(fields=["id"], condition=Q(at_risk=True), name="report_at_risk"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "period"], name="report_one_per_period"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_0_100"),
            models.CheckConstraint(condition=Q(period__day=1), name="report_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.period:%Y-%m}"


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    # Kept by the ledger services (progress.services.indicators): the report's milestone, and whether
    # this is the value in the newest report (by period) of that milestone carrying the
    # indicator. The leaders' indicator totals add up only those rows.
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, editable=False, related_name="+")
    is_latest = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        indexes = [models.Index(fields=["indicator"], condition=Q(is_latest=True), name="indicator_value_latest")]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_once_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.display}"

    @property
    def display(self) -> str:
        return self.indicator.format(self.value)


class Evidence(models.Model):
    """A file backing a report or a closure request (佐证材料), served only through an access-checked view."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    request = models.ForeignKey(
        "MilestoneRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, request__isnull=True) | Q(report__isnull=True, request__isnull=False),
                name="evidence_backs_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
