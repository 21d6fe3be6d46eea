from django.db import models


class LedgerStamp(models.Model):
    """One row whose token changes, in the writing transaction, with every write to the ledger.

    Cached reads (``progress.ledger_cache``) key on the token: a reader sees a new token exactly
    when it sees the write that made it, in every web process, whatever the cache backend.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
