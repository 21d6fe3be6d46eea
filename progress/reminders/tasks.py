"""Celery tasks: thin, take ids or nothing, call a service. Safe to run twice.

Names are pinned to where the tasks first lived: beat's schedule rows in the database and
messages already queued carry them.
"""

import datetime

from celery import shared_task

from progress.reminders import services as reminders


def _day(day: str | None) -> datetime.date:
    return datetime.date.fromisoformat(day) if day else reminders.local_today()


@shared_task(name="progress.tasks.run_reminder_scan")
def run_reminder_scan(day: str | None = None) -> int:
    """Beat's daily scan (08:30 Asia/Shanghai by default): notices due today, deliveries queued."""
    return len(reminders.run_scan(today=_day(day)).created)


@shared_task(name="progress.tasks.send_weekly_digest")
def send_weekly_digest(day: str | None = None) -> int:
    return len(reminders.run_digest(today=_day(day)).created)


@shared_task(name="progress.tasks.send_pending_deliveries")
def send_pending_deliveries() -> int:
    """Every few minutes: deliveries held by quiet hours, lost enqueues, claims of dead workers."""
    return len(reminders.enqueue_sendable_deliveries())


@shared_task(name="progress.tasks.send_delivery", bind=True, max_retries=reminders.MAX_ATTEMPTS)
def send_delivery(self, delivery_id: int) -> str:
    try:
        return reminders.deliver(delivery_id=delivery_id)
    except reminders.RetryLater as later:
        raise self.retry(countdown=later.seconds) from later
