from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from progress.orders.models import document_number


class CircularKind(models.TextChoices):
    MONTH = "month", _("月度")
    WEEK = "week", _("周")


class CircularStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class Circular(models.Model):
    """SASAC's 督办通报 for one month or week.

    ``data`` holds every figure and line of the circular, frozen when it is drafted; the Word
    and PDF files are rendered from it alone (``progress.circulars.documents``), so an issued
    circular regenerates exactly. Issuing gives it its number (文号), which is never reused.
    """

    kind = models.CharField(_("类型"), max_length=5, choices=CircularKind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    status = models.CharField(_("状态"), max_length=6, choices=CircularStatus.choices, default=CircularStatus.DRAFT)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, editable=False)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True, editable=False)
    data = models.JSONField(_("通报数据"), default=dict, editable=False)
    docx = models.FileField(_("Word 文档"), upload_to="circulars/%Y/", blank=True)
    pdf = models.FileField(_("PDF 文档"), upload_to="circulars/%Y/", blank=True)
    # The wording the office circulated: the issued Word document as an officer edited it.
    final_docx = models.FileField(_("定稿"), upload_to="circulars/%Y/", blank=True)
    final_uploaded_at = models.DateTimeField(_("定稿上传时间"), null=True, blank=True)
    final_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("起草时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("督办通报")
        verbose_name_plural = _("督办通报")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], name="circular_once_per_period"),
            models.UniqueConstraint(
                fields=["year", "serial"], condition=Q(serial__isnull=False), name="circular_number_once_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(serial__isnull=False) & Q(issued_at__isnull=False)),
                name="circular_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    @property
    def number(self) -> str:
        if self.serial is None:
            return ""
        return document_number(settings.CIRCULAR_PREFIX, self.year, self.serial)
