from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from progress.models.ledger import Milestone


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("延期申请")
    CHANGE = "change", _("变更申请")
    WITHDRAWAL = "withdrawal", _("撤销申请")
    CLOSURE = "closure", _("销号申请")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")
    CANCELLED = "cancelled", _("已撤回")


class MilestoneRequest(models.Model):
    """A liaison's request about a milestone that SASAC decides: 延期、变更、撤销 or 销号.

    ``original`` and ``proposed`` hold the milestone's fields before and as asked (JSON, dates
    as ISO text): the original commitment stays readable beside the change whatever is
    decided. A milestone has at most one pending request at a time.
    """

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("申请类型"), max_length=12, choices=RequestKind.choices)
    state = models.CharField(
        _("审批状态"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING
    )
    reason = models.TextField(_("申请理由"))
    original = models.JSONField(_("原内容"), default=dict, blank=True)
    proposed = models.JSONField(_("申请内容"), default=dict, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)
    # A closure verified while the accepted progress is below 100 %: why SASAC closed it anyway.
    shortfall_reason = models.TextField(_("未达100%销号说明"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        indexes = [models.Index(fields=["state", "kind", "filed_at"], name="request_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"], condition=Q(state="pending"), name="request_one_pending_per_milestone"
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False), name="request_decided_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.milestone}"
