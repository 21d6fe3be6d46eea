from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerStamp(models.Model):
    """One row whose token changes as every write to the ledger commits.

    Cached reads (``progress.ledger_cache``) key on the token: a database row, so every web process
    sees the same one, whatever the cache backend.
    """

    token = models.CharField(_("版本标记"), max_length=32)

    class Meta:
        verbose_name = _("台账版本戳")
        verbose_name_plural = _("台账版本戳")

    def __str__(self) -> str:
        return self.token
