"""Sending: each delivery claimed by one sender, sent within a deadline, marked sent once.

1. A sender claims a delivery with a conditional ``UPDATE ... WHERE <sendable>`` that stamps
   a fresh token and the database's clock, and acts only if exactly one row changed; duplicate
   task messages send nothing twice.
2. The send has a hard deadline (``REMINDER_SEND_DEADLINE_SECONDS``, at most half the lease),
   counted from the claim: total, not per socket read, for SMTP and HTTP alike (a watchdog shuts
   the socket down). So a live sender always finishes before its claim can expire.
3. After the outside send succeeds, the row is marked sent with ``WHERE claim = <token>``. If
   the database is down then, the mark is retried (in the task while time allows, then by a
   ``mark_delivery_sent`` task through the broker); it is never taken for a failed send. If
   the token no longer matches, another sender took the claim over: that is logged, not
   reported as success.
4. A claim older than the lease (``REMINDER_DELIVERY_LEASE_SECONDS``) belongs to a sender that
   died; the sweep, every half lease, queues it again and the next sender takes it over with
   a new token — within 2 x lease of the death.
5. A failed send is retried with backoff (a quarter lease, doubling, at most 5 leases) up to
   ``REMINDER_MAX_ATTEMPTS`` times when the error is transient; a permanent error (a refused
   recipient, a 4xx answer, an address the outbound policy refuses) fails at once. Failures
   stay on the rules page, counted by channel and error, until SASAC resends them.

The one window left: a sender killed (SIGKILL, power loss) after the receiver took the message
and before the mark. Its claim expires and the message goes out again, with the same
Message-ID (e-mail) or ``X-Qdsasac-Delivery`` key and body (webhooks), so the receiver can drop
the repeat. A sender cut off from the database for longer than the lease after sending
is indistinguishable from a dead one and falls in the same window.

Quiet hours: e-mail and webhook deliveries made during quiet hours stay pending, and the next
sweep outside them sends them.
"""

import datetime
import logging
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from progress.models import ChannelConfig, Delivery, ReminderRule
from progress.reminders import channels
from progress.reminders.channels import Deadline, SendError, Throttled, TransientError
from progress.reminders.models import DeliveryStatus, ErrorKind
from qdsasac.celery import app

logger = logging.getLogger(__name__)

SEND_TASK = "progress.tasks.send_delivery"
MARK_TASK = "progress.tasks.mark_delivery_sent"
SWEEP_LIMIT = 5000
THROTTLE_PAUSE = datetime.timedelta(seconds=60)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    HELD = "held"
    RETRY = "retry"
    FAILED = "failed"
    MARK_PENDING = "mark_pending"
    CLAIM_LOST = "claim_lost"


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)


def backoff_seconds(attempt: int) -> float:
    """The wait before try ``attempt + 1``: a quarter lease, doubling, at most five leases."""
    base = settings.REMINDER_DELIVERY_LEASE_SECONDS / 4
    return min(base * 2 ** (attempt - 1), 5 * settings.REMINDER_DELIVERY_LEASE_SECONDS)


def sendable_q() -> Q:
    """Deliveries a sender may claim now (by the database's clock): pending ones whose backoff has
    passed, and claims left by dead senders. The sweep lists with it, the sender claims with it."""
    return (
        Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=True)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=Now())
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=Now() - lease())
    )


def in_quiet_hours(rule: ReminderRule | None = None) -> bool:
    return (rule or ReminderRule.current()).in_quiet_hours(timezone.localtime().time())


# --- queueing ---


def queue_sends(deliveries: list[tuple[int, str]]) -> None:
    """Put a send task for each (delivery id, channel) on its channel's queue, now."""
    for delivery_id, channel in deliveries:
        app.send_task(SEND_TASK, args=[delivery_id], queue=channels.get(channel).queue)


def queue_after_commit(deliveries: list[tuple[int, str]]) -> None:
    """Queue after the surrounding transaction commits. If the broker is down then, the error
    is logged and the sweep queues the rows once their ``enqueued_at`` is a lease old."""
    if deliveries:
        transaction.on_commit(lambda: queue_sends(deliveries), robust=True)


def sweep() -> int:
    """Queue every delivery a sender should try now and that no live message is waiting for:
    never queued, queued more than a lease ago (the message was lost), backed off, or claimed
    by a dead sender. Nothing during quiet hours. Returns how many were queued."""
    if in_quiet_hours():
        return 0
    stale = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=Now() - lease())
    rows = list(Delivery.objects.filter(sendable_q() & stale).order_by("id").values_list("id", "channel")[:SWEEP_LIMIT])
    if rows:
        Delivery.objects.filter(pk__in=[delivery_id for delivery_id, _channel in rows]).update(enqueued_at=Now())
        queue_sends(rows)
    return len(rows)


def sendable_ids() -> list[int]:
    """Every delivery a sender may claim now, for ``send_reminders`` to send in-process."""
    return list(Delivery.objects.filter(sendable_q()).order_by("id").values_list("id", flat=True)[:SWEEP_LIMIT])


# --- sending ---


def deliver(*, delivery_id: int, mark_patience: float | None = None) -> str:
    """Send one delivery if this caller wins its claim; return an ``Outcome``.

    ``mark_patience``: how many seconds after the claim the mark may be retried in this process
    before it is handed to the broker (by default 80 % of the lease, so the claim is still ours).
    """
    rule = ReminderRule.current()
    if in_quiet_hours(rule):
        return Outcome.HELD
    started = time.monotonic()
    token = uuid.uuid4()
    claimed = Delivery.objects.filter(sendable_q(), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claim=token, claimed_at=Now(), attempts=F("attempts") + 1, enqueued_at=None
    )
    if claimed != 1:
        return Outcome.SKIPPED
    delivery = Delivery.objects.select_related("notification__recipient__profile").get(pk=delivery_id)
    channel = channels.get(delivery.channel)
    config = ChannelConfig.objects.filter(channel=channel.name).first() if channel.configurable else None
    try:
        with Deadline(settings.REMINDER_SEND_DEADLINE_SECONDS - (time.monotonic() - started)) as deadline:
            if channel.configurable and (config is None or not config.enabled):
                raise channels.PermanentError("not_configured", f"channel {channel.name} is not enabled")
            channel.send(delivery, config=config, deadline=deadline)
    except SendError as error:
        return _record_failure(delivery, token, error)
    except Exception as error:
        # A bug (a template error, say) must not leave the row claimed until the lease ends.
        logger.exception("delivery %s: unexpected error while sending", delivery_id)
        return _record_failure(delivery, token, TransientError("error", f"{type(error).__name__}: {error}"))
    if mark_patience is None:
        mark_patience = settings.REMINDER_DELIVERY_LEASE_SECONDS * 0.8
    return _mark_sent(delivery_id, token, give_up_at=started + mark_patience)


def _record_failure(delivery: Delivery, token: uuid.UUID, error: SendError) -> str:
    """Put the row back with a backoff, or fail it for good (permanent error, last attempt).

    A receiver that asks to slow down pauses its whole channel for ``THROTTLE_PAUSE`` (the
    robots' limit is per minute), and that try does not count.
    """
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token)
    fields = {"claim": None, "error_kind": error.kind, "error_code": error.code[:40], "last_error": error.detail[:2000]}
    if isinstance(error, Throttled):
        resume = Now() + THROTTLE_PAUSE
        mine.update(
            status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=resume, attempts=F("attempts") - 1, **fields
        )
        Delivery.objects.filter(channel=delivery.channel, status=DeliveryStatus.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=resume)
        ).update(next_attempt_at=resume, enqueued_at=None)
        logger.warning("channel %s asks to slow down; it pauses for %s", delivery.channel, THROTTLE_PAUSE)
        return Outcome.RETRY
    if error.kind == ErrorKind.PERMANENT or delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        mine.update(status=DeliveryStatus.FAILED, **fields)
        logger.error("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, error)
        return Outcome.FAILED
    wait = datetime.timedelta(seconds=backoff_seconds(delivery.attempts))
    mine.update(status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=Now() + wait, **fields)
    logger.warning("delivery %s (%s) failed, retried in %s: %s", delivery.pk, delivery.channel, wait, error)
    return Outcome.RETRY


def mark_sent(delivery_id: int, token: uuid.UUID | str) -> str:
    """Record a send that went out. Raises ``DatabaseError`` when the database is unreachable."""
    marked = Delivery.objects.filter(pk=delivery_id, claim=token).update(
        status=DeliveryStatus.SENT,
        sent_at=Now(),
        claim=None,
        next_attempt_at=None,
        error_kind="",
        error_code="",
        last_error="",
    )
    if marked:
        return Outcome.SENT
    logger.warning(
        "delivery %s went out, but another sender had taken its claim over: the receiver may get it twice "
        "(same Message-ID / X-Qdsasac-Delivery key)",
        delivery_id,
    )
    return Outcome.CLAIM_LOST


def _mark_sent(delivery_id: int, token: uuid.UUID, *, give_up_at: float) -> str:
    """Mark the delivery sent, retrying through a database outage; past ``give_up_at``, hand the
    mark to a task on the broker (which retries until the database answers)."""
    wait, failures = 0.1, 0
    while True:
        try:
            outcome = mark_sent(delivery_id, token)
            if failures:
                logger.warning(
                    "delivery %s went out; its mark waited %s tries for the database", delivery_id, failures + 1
                )
            return outcome
        except DatabaseError:
            failures += 1
            _drop_broken_connection()
            if time.monotonic() + wait > give_up_at:
                logger.warning(
                    "delivery %s went out; the database is unreachable, the mark goes by the broker", delivery_id
                )
                app.send_task(MARK_TASK, args=[delivery_id, str(token)], countdown=1)
                return Outcome.MARK_PENDING
        time.sleep(wait)
        wait = min(wait * 2, 1.0)


def _drop_broken_connection() -> None:
    """After a failed query the connection may be dead; the next query opens a new one."""
    if not connection.in_atomic_block:
        connection.close()


# --- SASAC's resend ---


def resend_failed(*, channel: str | None = None, error_code: str | None = None) -> list[tuple[int, str]]:
    """Put failed deliveries (all, or one channel's, or one error's) back to pending with fresh
    attempts and queue them after commit (held until quiet hours end). Returns (id, channel)."""
    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    if channel:
        failed = failed.filter(channel=channel)
    if error_code is not None:
        failed = failed.filter(error_code=error_code)
    with transaction.atomic():
        rows = list(failed.select_for_update().order_by("id").values_list("id", "channel"))
        queue_now = not in_quiet_hours()
        Delivery.objects.filter(pk__in=[delivery_id for delivery_id, _channel in rows]).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            claim=None,
            claimed_at=None,
            error_kind="",
            error_code="",
            enqueued_at=Now() if queue_now else None,
        )
        if queue_now:
            queue_after_commit(rows)
    logger.info("resent %s failed deliveries (channel=%s, error=%s)", len(rows), channel, error_code)
    return rows
