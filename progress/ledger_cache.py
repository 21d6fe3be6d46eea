"""Cached reads of the ledger: what the board, the charts, the home pages and the header count.

Monday morning every officer and liaison opens the same few pages; their figures change only
when the ledger does. A cached figure is stored under the ledger's stamp (``LedgerStamp``), a
token that every write to the ledger replaces as its transaction commits (the next statement on
the writer's connection, before its response leaves), in every web process, on Redis
(``REDIS_URL``) or the local-memory default alike. Inside the writing transaction its own reads
already use a token of their own, so a request (or a test) that writes then reads sees its write;
a rollback publishes nothing. Keys also carry the day (health turns red at midnight) and the
language. The stamp is published after the commit, not inside the transaction, so ledger writes
never queue on its row nor deadlock over it (an import locks many milestones).

Writes change the token through ``ledger_changed``: the ledger services call it where they write
rows in bulk, and a save or delete of any model in ``LEDGER_MODELS`` calls it (``progress.apps``),
so the admin's edits count too.
"""

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

from progress.health import today
from progress.models import LedgerStamp

logger = logging.getLogger(__name__)

T = TypeVar("T")

STAMP_PK = 1
# Old stamps' entries are never read again; this bounds how long they linger in the cache.
CACHE_SECONDS = 15 * 60


# Within one request the stamp is read once: the header's counts and the page's figures share it.
_this_request = threading.local()


def _request_started(**kwargs) -> None:
    _this_request.active, _this_request.stamp = True, None


def _request_finished(**kwargs) -> None:
    _this_request.active, _this_request.stamp = False, None


def ledger_changed() -> None:
    """The ledger changed: cached reads are made again, by this transaction's own reads at once
    and by everyone's from its commit (nothing if it rolls back)."""
    token = uuid.uuid4().hex
    pending = _pending_publish()
    if pending is not None:
        # One publication a transaction (an import writes hundreds of rows), of its last token.
        pending.ledger_token = token
        return

    def publish() -> None:
        _this_request.stamp = None
        if not LedgerStamp.objects.filter(pk=STAMP_PK).update(token=publish.ledger_token):
            # The row is missing only after a test flushed the tables.
            LedgerStamp.objects.get_or_create(pk=STAMP_PK, defaults={"token": publish.ledger_token})

    publish.ledger_token = token
    # robust: the write has committed; a failure to publish must not turn its response into an error.
    transaction.on_commit(publish, robust=True)


def _pending_publish():
    """This transaction's publication, while it is open: Django keeps on-commit callbacks exactly
    as long as the (save)point that registered them, and drops them on rollback."""
    for _savepoints, callback, _robust in reversed(connection.run_on_commit):
        if hasattr(callback, "ledger_token"):
            return callback
    return None


def ledger_stamp() -> str:
    """The current token: one primary-key read, once per request (inside a transaction, every time,
    or the transaction's own pending token)."""
    if connection.in_atomic_block:
        pending = _pending_publish()
        if pending is not None:
            return pending.ledger_token
    remember = getattr(_this_request, "active", False) and not connection.in_atomic_block
    if remember and _this_request.stamp is not None:
        return _this_request.stamp
    stamp = next(iter(LedgerStamp.objects.filter(pk=STAMP_PK).values_list("token", flat=True)), "")
    if remember:
        _this_request.stamp = stamp
    return stamp


def cached_read(name: str, *parts, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``name`` and ``parts`` as of the current ledger stamp, from the cache.

    ``parts`` say whose view it is (``progress.scoping.cache_scope``) and what was asked (the
    query string); the value must pickle. A cache that does not answer (Redis down) costs the
    computation, never the page.
    """
    asked = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    key = f"ledger:{name}:{ledger_stamp()}:{today().isoformat()}:{translation.get_language()}:{asked}"
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure: compute instead
        logger.warning("cache unavailable, computing %s", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable, %s not stored", name, exc_info=True)
    return value


def _ledger_row_written(sender, **kwargs) -> None:
    ledger_changed()


def watch_ledger_models() -> None:
    """Every save or delete of a row the cached pages count changes the stamp, and each request
    reads the stamp once (``ProgressConfig.ready``)."""
    from django.apps import apps
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save

    request_started.connect(_request_started, dispatch_uid="ledger-stamp-request-started")
    request_finished.connect(_request_finished, dispatch_uid="ledger-stamp-request-finished")

    for label in LEDGER_MODELS:
        model = apps.get_model(label)
        post_save.connect(_ledger_row_written, sender=model, dispatch_uid=f"ledger-stamp-save-{label}")
        post_delete.connect(_ledger_row_written, sender=model, dispatch_uid=f"ledger-stamp-delete-{label}")


# What the board, the charts, the home pages and the decision queue's counts are made of.
LEDGER_MODELS = (
    "progress.Milestone",
    "progress.ProgressReport",
    "progress.IndicatorValue",
    "progress.Evidence",
    "progress.MilestoneRequest",
    "progress.ImplementationPlan",
    "progress.AssessmentScore",
    "progress.AssessmentWeights",
    "directives.Directive",
    "directives.Assignment",
    "directives.Indicator",
    "enterprises.Enterprise",
)
