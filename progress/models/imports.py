import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class LedgerImport(models.Model):
    """An uploaded ledger between its preview and its commit.

    The plan is what the server read and checked (``progress.services.ledger_import``);
    the commit files exactly that, so nothing the browser sends back is trusted. The
    token in the preview's URL is bound to the user and the enterprise and expires.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("报送期"))
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    plan = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        constraints = [
            models.CheckConstraint(condition=models.Q(period__day=1), name="ledger_import_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.file_name}"
