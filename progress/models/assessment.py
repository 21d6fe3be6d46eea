from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class AssessmentWeights(models.Model):
    """The weights SASAC staff set for the quarterly score (they add up to 100)."""

    on_time_closure = models.DecimalField(_("按期销号权重"), max_digits=5, decimal_places=2, default=Decimal(50))
    report_timeliness = models.DecimalField(_("按时报送权重"), max_digits=5, decimal_places=2, default=Decimal(30))
    overdue_work = models.DecimalField(_("逾期事项权重"), max_digits=5, decimal_places=2, default=Decimal(20))
    # 0 by default: extensions weigh in only once SASAC gives them a weight.
    extensions = models.DecimalField(_("延期事项权重"), max_digits=5, decimal_places=2, default=Decimal(0))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")
        constraints = [
            models.CheckConstraint(
                condition=Q(on_time_closure__gte=0)
                & Q(report_timeliness__gte=0)
                & Q(overdue_work__gte=0)
                & Q(extensions__gte=0),
                name="assessment_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("考核权重"))


class AssessmentScore(models.Model):
    """An enterprise's score for one quarter, with the parts it was made from."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="assessment_scores")
    quarter = models.CharField(_("季度"), max_length=7, help_text="2021Q3")
    on_time_closure_rate = models.DecimalField(_("按期销号率"), max_digits=5, decimal_places=2)
    report_timeliness_rate = models.DecimalField(_("按时报送率"), max_digits=5, decimal_places=2)
    overdue_free_rate = models.DecimalField(_("无逾期率"), max_digits=5, decimal_places=2)
    extension_free_rate = models.DecimalField(_("无延期率"), max_digits=5, decimal_places=2, default=Decimal(100))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        ordering = ["quarter", "-score"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "quarter"], name="assessment_once_per_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.quarter}: {self.score}"
