from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from progress.models.ledger import ReportingPeriod


class LedgerSnapshot(models.Model):
    """An enterprise's ledger rows as they stood when SASAC closed a reporting period.

    The file behind a circulated 通报 must be regenerable whatever changes later, so
    the closed period's export is built from these rows, never from live data. Rows
    are the JSON form of ``progress.selectors.ledger_rows.LedgerRow``: codes and figures, not
    labels, so the file regenerates the same in the reader's language.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="snapshots")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="ledger_snapshots")
    rows = models.JSONField(_("台账行"), default=list)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["period", "enterprise__code"]
        verbose_name = _("台账快照")
        verbose_name_plural = _("台账快照")
        constraints = [
            models.UniqueConstraint(fields=["period", "enterprise"], name="ledger_snapshot_once_per_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.period}"
