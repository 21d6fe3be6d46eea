"""Celery tasks: thin, take ids or nothing, call the outbox or the sender. Safe to run twice.

Names are pinned to where the tasks first lived: beat's schedule rows in the database and
messages already queued carry them. Nothing imports this module but Celery: the outbox and the
sender queue tasks by name (``delivery.SEND_TASK``), so tasks and services form no cycle.

Time limits: the scans and the sweep have Celery's hard time limit (the lease). The send and
mark tasks bound themselves instead: the send by its deadline (at most half the lease, counted
from the claim), the mark by handing itself to the broker before the lease ends. Celery's time
limits were tried on them and the fault drill showed why not: while a worker reconnects to the
broker its event loop stops reading results, so a task that finished long ago still "runs" for
the main process; its limit fires after the reconnect and kills the pool process, which by then
may be in the middle of another send (and a soft limit that lands between tasks ended the whole
worker with "Unrecoverable error"). Retry waits stay below half the lease, far inside the
broker's visibility timeout (2 x lease), so a waiting retry is never handed out twice.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from progress.models import ReminderScan
from progress.reminders import delivery, outbox
from progress.reminders.schedule import local_today

DATABASE_DOWN = (OperationalError, InterfaceError)
LEASE = settings.REMINDER_DELIVERY_LEASE_SECONDS
HALF_LEASE = max(LEASE // 2, 1)


def _day(day: str | None) -> datetime.date:
    return datetime.date.fromisoformat(day) if day else local_today()


@shared_task(
    name="progress.tasks.run_reminder_scan",
    time_limit=LEASE,
    autoretry_for=DATABASE_DOWN,
    retry_backoff=2,
    retry_backoff_max=HALF_LEASE,
    max_retries=10,
)
def run_reminder_scan(day: str | None = None) -> int:
    """Beat's daily scan (08:30 Asia/Shanghai by default): the notices due on the day, their
    deliveries queued, then any earlier day whose scan never completed. Returns how many notices
    this run inserted."""
    made = len(outbox.run_scan(today=_day(day)).created)
    return made + sum(len(result.created) for result in outbox.catch_up())


@shared_task(
    name="progress.tasks.send_weekly_digest",
    time_limit=LEASE,
    autoretry_for=DATABASE_DOWN,
    retry_backoff=2,
    retry_backoff_max=HALF_LEASE,
    max_retries=10,
)
def send_weekly_digest(day: str | None = None) -> int:
    return len(outbox.run_scan(today=_day(day), kind=ReminderScan.Kind.DIGEST).created)


@shared_task(name="progress.tasks.send_pending_deliveries", time_limit=LEASE)
def send_pending_deliveries() -> int:
    """Every half lease: scans whose day never completed, then deliveries held by quiet hours,
    lost on the way to the broker, backed off, or claimed by a dead sender."""
    outbox.catch_up()
    return delivery.sweep()


@shared_task(
    name="progress.tasks.send_delivery",
    autoretry_for=DATABASE_DOWN,
    retry_backoff=1,
    retry_backoff_max=HALF_LEASE,
    max_retries=10,
)
def send_delivery(delivery_id: int) -> str:
    return delivery.deliver(delivery_id=delivery_id)


@shared_task(
    name="progress.tasks.mark_delivery_sent",
    autoretry_for=DATABASE_DOWN,
    retry_backoff=1,
    retry_backoff_max=min(HALF_LEASE, 10),
    max_retries=None,
)
def mark_delivery_sent(delivery_id: int, claim: str) -> str:
    """A send went out while the database was unreachable: record it once the database answers."""
    return delivery.mark_sent(delivery_id, claim)
