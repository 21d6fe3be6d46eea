from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class ImplementationPlan(models.Model):
    """An enterprise's own plan for the notice: timetable, roadmap, responsibility."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.PROTECT, related_name="plan")
    title = models.CharField(_("方案名称"), max_length=200)
    roadmap = models.TextField(_("路线图"), blank=True)
    timetable = models.TextField(_("时间表"), blank=True)
    responsibility = models.TextField(_("责任制"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")

    def __str__(self) -> str:
        return self.title
