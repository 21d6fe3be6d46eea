from django.db import models


class LedgerStamp(models.Model):
    """One row whose token changes as every write to the ledger commits.

    Cached reads (``progress.ledger_cache``) key on the token: a database row, so every web process
    sees the same one, whatever the cache backend.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
