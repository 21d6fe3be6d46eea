"""The outbox: notices and their deliveries, written once, in the transaction that decides them.

How "none lost, none twice" holds on this side:

1. A scan derives every reminder due on a day from the milestones themselves; nothing waits in
   the broker with an ETA. Each notice carries a dedupe key
   ``recipient:milestone:kind:date:step`` that the database holds unique, and is written with
   ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: two scans at once, a scan run again after a
   crash or a second beat add nothing the second time, and each run counts exactly the rows it
   inserted.
2. A notice's trips over the outside channels are ``Delivery`` rows written in the same
   transaction: one per recipient for e-mail and the generic webhook, one per event for a group
   robot (unique per channel and event). Their send tasks are queued after commit, so a worker
   never looks for a row that is not there; if the broker is down then, the sweep queues them.
3. A completed scan leaves a ``ReminderScan`` row in that same transaction. A scan that failed
   (database or broker down) is retried by its task with backoff; a day whose scan never
   completed is run by the next daily scan or by the sweep (``catch_up``), as soon as its
   scheduled time has passed, for up to ``CATCH_UP_DAYS`` back.

Sending is ``progress.reminders.delivery``'s.
"""

import dataclasses
import datetime
import logging

from django.db import connection, transaction
from django.db.models import AutoField, Model
from django.utils import timezone

from progress.models import ChannelConfig, Delivery, ReminderRule, ReminderScan
from progress.reminders import channels, delivery, selectors
from progress.reminders.schedule import PlannedNotice, plan_digest, plan_reminders

logger = logging.getLogger(__name__)

# A scan missed for longer than this is not made up: its reminders would be stale.
CATCH_UP_DAYS = 7
SCANS = {
    ReminderScan.Kind.DAILY: "progress.tasks.run_reminder_scan",
    ReminderScan.Kind.DIGEST: "progress.tasks.send_weekly_digest",
}


@dataclasses.dataclass
class Written:
    """What one write inserted: the notices that were new, and their deliveries."""

    notices: list[PlannedNotice]
    deliveries: list[tuple[int, str]]

    @property
    def delivery_ids(self) -> list[int]:
        return sorted(delivery_id for delivery_id, _channel in self.deliveries)


@dataclasses.dataclass
class ScanResult:
    kind: str
    day: datetime.date
    planned: list[PlannedNotice]
    written: Written

    @property
    def created(self) -> list[PlannedNotice]:
        return self.written.notices

    @property
    def delivery_ids(self) -> list[int]:
        return self.written.delivery_ids


def insert_new(objs: list[Model], returning: tuple[str, ...] = ("id",)) -> list[tuple]:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING``: the rows this statement inserted, and
    only those (``bulk_create(ignore_conflicts=True)`` cannot tell). PostgreSQL and SQLite."""
    if not objs:
        return []
    meta = type(objs[0])._meta
    fields = [field for field in meta.concrete_fields if not isinstance(field, AutoField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    returned = ", ".join(quote(meta.get_field(name).column) for name in returning)
    rows = []
    batch = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [
                field.get_db_prep_save(field.pre_save(obj, add=True), connection) for obj in chunk for field in fields
            ]
            values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} "
                f"ON CONFLICT DO NOTHING RETURNING {returned}",
                params,
            )
            rows.extend(cursor.fetchall())
    return rows


def write(planned: list[PlannedNotice], *, rule: ReminderRule, queue: bool = True) -> Written:
    """Insert the planned notices that do not exist yet and their deliveries, atomically.

    Notices go in dedupe-key order, so two concurrent writers take the unique index's locks in
    the same order and cannot deadlock. With ``queue`` (and outside quiet hours) the new
    deliveries' send tasks are queued after commit.
    """
    by_key = {notice.dedupe_key: notice for notice in planned}
    if not by_key:
        return Written(notices=[], deliveries=[])
    now = timezone.now()
    queue_now = queue and not rule.in_quiet_hours(timezone.localtime(now).time())
    with transaction.atomic():
        inserted = dict(
            (key, notification_id)
            for notification_id, key in insert_new(
                [by_key[key].as_model() for key in sorted(by_key)], returning=("id", "dedupe_key")
            )
        )
        new = [by_key[key] for key in sorted(inserted)]
        emails = selectors.emails_of({notice.recipient_id for notice in new})
        configs = {config.channel: config for config in ChannelConfig.objects.filter(enabled=True)}
        enqueued_at = now if queue_now else None
        per_recipient, per_event, events_seen = [], [], set()
        for notice in new:
            for channel in channels.outside():
                if not channel.wants(
                    kind=notice.kind, email=emails.get(notice.recipient_id, ""), config=configs.get(channel.name)
                ):
                    continue
                row = Delivery(
                    notification_id=inserted[notice.dedupe_key], channel=channel.name, enqueued_at=enqueued_at
                )
                if not channel.per_event:
                    per_recipient.append(row)
                elif (channel.name, notice.event_key) not in events_seen:
                    events_seen.add((channel.name, notice.event_key))
                    row.event_key = notice.event_key
                    per_event.append(row)
        Delivery.objects.bulk_create(per_recipient)
        deliveries = [(row.pk, row.channel) for row in per_recipient]
        deliveries += insert_new(per_event, returning=("id", "channel"))
        if queue_now:
            delivery.queue_after_commit(deliveries)
    return Written(notices=new, deliveries=deliveries)


def not_yet_made(planned: list[PlannedNotice]) -> list[PlannedNotice]:
    """The planned notices not in the database yet (what a dry run would make), once each."""
    by_key = {notice.dedupe_key: notice for notice in planned}
    existing = selectors.existing_dedupe_keys(sorted(by_key))
    return [notice for key, notice in by_key.items() if key not in existing]


def _record_scan(kind: str, day: datetime.date, written: Written) -> None:
    """Call inside the scan's transaction: the row commits with the notices or not at all. A
    second run of the same day adds its own counts (one upsert; PostgreSQL and SQLite)."""
    table = connection.ops.quote_name(ReminderScan._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, day, completed_at, notices, deliveries) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (kind, day) DO UPDATE SET notices = {table}.notices + excluded.notices, "
            f"deliveries = {table}.deliveries + excluded.deliveries",
            [
                kind,
                day,
                ReminderScan._meta.get_field("completed_at").get_db_prep_save(timezone.now(), connection),
                len(written.notices),
                len(written.deliveries),
            ],
        )


def run_scan(*, today: datetime.date, kind: str = ReminderScan.Kind.DAILY, queue: bool = True) -> ScanResult:
    """Write the notices due on ``today`` (the weekly digest with ``kind=DIGEST``) and record
    the scan, in one transaction; queue the new deliveries after commit."""
    rule = ReminderRule.current()
    if kind == ReminderScan.Kind.DIGEST:
        planned = plan_digest(today=today)
    else:
        planned = plan_reminders(today=today, rule=rule)
    with transaction.atomic():
        written = write(planned, rule=rule, queue=queue)
        _record_scan(kind, today, written)
    logger.info(
        "%s scan of %s: %s notices and %s deliveries made (%s planned)",
        kind,
        today,
        len(written.notices),
        len(written.deliveries),
        len(planned),
    )
    return ScanResult(kind=kind, day=today, planned=planned, written=written)


def missed_scans(*, now: datetime.datetime | None = None) -> list[tuple[str, datetime.date]]:
    """Scans whose scheduled time has passed on a day that has no completed scan.

    Looks back to the oldest completed scan of the kind, at most ``CATCH_UP_DAYS``; with no
    scan on record, only today. A schedule that beat has disabled (or that is not a crontab)
    is not made up.
    """
    now = now or timezone.now()
    missed = []
    for kind, task_name in SCANS.items():
        schedule = selectors.scan_schedule(task_name)
        if schedule is None:
            continue
        local_now = now.astimezone(schedule.tz)
        today = local_now.date()
        oldest = selectors.oldest_scan_day(kind)
        first = today if oldest is None else max(oldest, today - datetime.timedelta(days=CATCH_UP_DAYS))
        done = selectors.completed_scan_days(kind, since=first)
        day = first
        while day <= today:
            fire = schedule.first_run_on(day)
            if fire is not None and fire <= local_now and day not in done:
                missed.append((kind, day))
            day += datetime.timedelta(days=1)
    return missed


def catch_up(*, now: datetime.datetime | None = None) -> list[ScanResult]:
    """Run every missed scan, oldest first (a failure stops here; the next sweep tries again)."""
    return [run_scan(today=day, kind=kind) for kind, day in missed_scans(now=now)]
