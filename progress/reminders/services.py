"""Reminders: derive what is due from the database, write each notice once, deliver it once.

How "exactly once" holds:

1. The scan derives every reminder due on a day from the milestones themselves; nothing
   waits in the broker with an ETA. Each notice carries a dedupe key
   ``recipient:milestone:kind:date:step`` that the database holds unique, and is written with
   ``INSERT ... ON CONFLICT DO NOTHING`` (``bulk_create(ignore_conflicts=True)``). Two scans
   at once, a scan re-run after a crash or a second beat add nothing the second time.
2. A notice's e-mail and webhook trips are ``Delivery`` rows, unique per (notice, channel).
   Send tasks are queued with ``transaction.on_commit``, so a worker never looks for a row
   that is not committed.
3. A sender claims a delivery with a conditional ``UPDATE ... WHERE status='pending'`` and
   acts only if exactly one row changed, so duplicate task messages send nothing twice. A
   claim older than the lease (``REMINDER_DELIVERY_LEASE_SECONDS``) belongs to a worker that
   died mid-send; the next sender takes it over. (A worker killed after the mail server took
   the message but before the row says "sent" makes the one case where a message goes out
   twice; the Message-ID and the webhook's delivery header let the receiver drop it.)

Time rules (offsets count calendar days back from the due date):

- due soon / due today: on ``due - offset`` for each offset (default 7, 3, 1, 0);
- overdue: the day after the due date, then every ``overdue_repeat_days``;
- escalation to SASAC staff: ``escalate_after_days`` after the due date;
- an unsigned urge repeats to the liaisons every ``overdue_repeat_days`` after it was sent and
  escalates to SASAC staff after ``escalate_after_days``, like an overdue milestone;
- report due: ``report_notice_days`` before the monthly reporting day and on the last day of
  the grace period, to the liaisons of enterprises with milestones lacking that month's report.

Each of these nominal days that is not an official working day moves to the working day
before (``progress.reminders.workdays``). When several of one milestone's reminders land on the same
day, only the most urgent is sent.

Quiet hours: in-app notices are written at any time; e-mail and webhook deliveries made
during quiet hours stay pending, and the next sender run outside quiet hours (the
ten-minute ``send_pending_deliveries`` beat task, the daily scan, or ``send_reminders``) sends them.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from progress.models import Delivery, Milestone, Notification, NotificationKind, ReminderRule, Urge
from progress.reminders import channels, selectors
from progress.reminders.models import DeliveryStatus
from progress.reminders.workdays import days_landing_on, first_working_day_after

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 600


def delivery_lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """The calendar day in Asia/Shanghai (settings.TIME_ZONE): a new day starts at local midnight."""
    return timezone.localdate(now or timezone.now())


@dataclasses.dataclass(frozen=True)
class PlannedNotice:
    recipient_id: int
    kind: str
    milestone_id: int | None
    due_on: datetime.date | None
    step: str
    subject: str
    body: str
    payload: dict
    urge_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        due = self.due_on.isoformat() if self.due_on else "-"
        return f"{self.recipient_id}:{self.milestone_id or '-'}:{self.kind}:{due}:{self.step}"

    def as_model(self) -> Notification:
        return Notification(
            recipient_id=self.recipient_id,
            kind=self.kind,
            milestone_id=self.milestone_id,
            urge_id=self.urge_id,
            due_on=self.due_on,
            dedupe_key=self.dedupe_key,
            subject=self.subject[:300],
            body=self.body,
            payload=self.payload,
        )


@dataclasses.dataclass
class ScanResult:
    planned: list[PlannedNotice]
    created: list[PlannedNotice]
    delivery_ids: list[int]


def _milestone_payload(row: dict, prefix: str = "") -> dict:
    return {
        "milestone_id": row[f"{prefix}id"],
        "milestone_title": row[f"{prefix}title"],
        "enterprise": row[f"{prefix}assignment__enterprise__short_name"],
        "due_date": row[f"{prefix}due_date"].isoformat(),
        "url": settings.SITE_URL + reverse("progress:milestone_detail", args=[row[f"{prefix}id"]]),
    }


def _recipients(row: dict, liaisons: dict[int, list[int]], prefix: str = "") -> list[int]:
    ids = list(liaisons.get(row[f"{prefix}assignment__enterprise_id"], []))
    responsible = row[f"{prefix}responsible_user_id"]
    if responsible is not None and responsible not in ids:
        ids.append(responsible)
    return ids


def _plan_due(rule, landing, today, liaisons) -> list[PlannedNotice]:
    offsets = sorted({int(o) for o in rule.offsets_days if int(o) >= 0})
    if not offsets:
        return []
    landing_set = set(landing)
    rows = selectors.milestones_due_between(
        landing[0] + datetime.timedelta(days=offsets[0]), landing[-1] + datetime.timedelta(days=offsets[-1])
    )
    planned = []
    for row in rows:
        due = row["due_date"]
        steps = [o for o in offsets if due - datetime.timedelta(days=o) in landing_set]
        if not steps:
            continue
        offset = min(steps)
        days_left = (due - today).days
        payload = _milestone_payload(row) | {"days_left": days_left}
        if days_left == 0:
            kind = NotificationKind.DUE_TODAY
            subject = _("【今日到期】%(title)s") % {"title": row["title"]}
            body = _("%(enterprise)s 的时间节点“%(title)s”今天(%(due)s)到期,请及时报送进展或申请销号。")
        else:
            kind = NotificationKind.DUE_SOON
            subject = _("【到期提醒】%(title)s 还有 %(days)s 天到期") % {"title": row["title"], "days": days_left}
            body = _("%(enterprise)s 的时间节点“%(title)s”将于 %(due)s 到期,还有 %(days)s 天。")
        body = body % {
            "enterprise": payload["enterprise"],
            "title": row["title"],
            "due": payload["due_date"],
            "days": days_left,
        }
        for recipient in _recipients(row, liaisons):
            planned.append(PlannedNotice(recipient, kind, row["id"], due, f"d-{offset}", subject, body, payload))
    return planned


def _plan_overdue(rule, landing, today, liaisons, sasac_ids) -> list[PlannedNotice]:
    planned = []
    repeat = rule.overdue_repeat_days
    escalate = rule.escalate_after_days
    for row in selectors.milestones_overdue_on(today):
        due = row["due_date"]
        overdue_days = [(day - due).days for day in landing]
        if today == first_working_day_after(due):
            # Days right after the due date that are days off would move back to the due date
            # itself or before; nobody is late yet then, so they are told on the first working day.
            overdue_days += range(1, (today - due).days)
        repeats = [n for n in overdue_days if n == 1 or (repeat and (n - 1) % repeat == 0)]
        # ">=" rather than "on the day": a scan missed on the escalation day catches up on the
        # next one; the dedupe key makes it fire once.
        escalating = escalate > 0 and (landing[-1] - due).days >= escalate
        if not repeats and not escalating:
            continue
        late = (today - due).days
        payload = _milestone_payload(row) | {"days_overdue": late}
        values = {"enterprise": payload["enterprise"], "title": row["title"], "due": payload["due_date"], "days": late}
        if repeats:
            subject = _("【逾期提醒】%(title)s 已逾期 %(days)s 天") % values
            body = _("%(enterprise)s 的时间节点“%(title)s”应于 %(due)s 完成,已逾期 %(days)s 天,请尽快处理并报送进展。")
            for recipient in _recipients(row, liaisons):
                planned.append(
                    PlannedNotice(
                        recipient,
                        NotificationKind.OVERDUE,
                        row["id"],
                        due,
                        f"o+{min(repeats)}",
                        subject,
                        body % values,
                        payload,
                    )
                )
        if escalating:
            subject = _("【逾期上报】%(enterprise)s:%(title)s 已逾期 %(days)s 天") % values
            body = _("%(enterprise)s 的时间节点“%(title)s”应于 %(due)s 完成,已逾期 %(days)s 天,请督办。") % values
            for recipient in sasac_ids:
                planned.append(
                    PlannedNotice(recipient, NotificationKind.ESCALATION, row["id"], due, "e", subject, body, payload)
                )
    return planned


def _plan_unsigned_urges(rule, landing, today, liaisons, sasac_ids) -> list[PlannedNotice]:
    planned = []
    repeat = rule.overdue_repeat_days
    escalate = rule.escalate_after_days
    for row in selectors.unsigned_urges():
        sent_on = local_today(row["sent_at"])
        days = [(day - sent_on).days for day in landing if day > sent_on]
        repeats = [n for n in days if repeat and n % repeat == 0]
        escalating = escalate > 0 and (landing[-1] - sent_on).days >= escalate
        if not repeats and not escalating:
            continue
        payload = _milestone_payload(row, "milestone__") | {"message": row["message"], "urge_sent_on": str(sent_on)}
        milestone_id = row["milestone__id"]
        values = {
            "enterprise": payload["enterprise"],
            "title": payload["milestone_title"],
            "sent": str(sent_on),
            "days": (today - sent_on).days,
        }
        if repeats:
            subject = _("【催办未签收】%(title)s") % values
            body = _("国资委于 %(sent)s 对“%(title)s”的催办已 %(days)s 天未签收,请登录系统签收并处理。") % values
            for recipient in _recipients(row, liaisons, "milestone__"):
                planned.append(
                    PlannedNotice(
                        recipient,
                        NotificationKind.URGE_UNSIGNED,
                        milestone_id,
                        sent_on,
                        f"u{row['id']}+{min(repeats)}",
                        subject,
                        body,
                        payload,
                        row["id"],
                    )
                )
        if escalating:
            subject = _("【催办未签收上报】%(enterprise)s:%(title)s") % values
            body = _("%(enterprise)s 对 %(sent)s 的催办“%(title)s”已 %(days)s 天未签收。") % values
            for recipient in sasac_ids:
                planned.append(
                    PlannedNotice(
                        recipient,
                        NotificationKind.ESCALATION,
                        milestone_id,
                        sent_on,
                        f"u{row['id']}",
                        subject,
                        body,
                        payload,
                        row["id"],
                    )
                )
    return planned


def _months_around(day: datetime.date) -> list[datetime.date]:
    """The first days of the month before ``day``'s, its own and the one after."""
    this_month = day.replace(day=1)
    previous_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    next_month = (this_month + datetime.timedelta(days=31)).replace(day=1)
    return [previous_month, this_month, next_month]


def _plan_reports(rule, landing, liaisons) -> list[PlannedNotice]:
    """With notice and grace days capped at 27, a period's "before" day falls at the earliest in
    the month before it and its "last" day at the latest in the month after it; the landing days
    may also run past a month end, so the months around the first and last landing day cover all."""
    planned = []
    landing_set = set(landing)
    periods = sorted({*_months_around(landing[0]), *_months_around(landing[-1])})
    for period in periods:
        reporting_day = period.replace(day=rule.report_day)
        steps = (
            ("before", reporting_day - datetime.timedelta(days=rule.report_notice_days)),
            ("last", reporting_day + datetime.timedelta(days=rule.report_grace_days)),
        )
        for step, nominal in steps:
            if nominal not in landing_set:
                continue
            last_day = reporting_day + datetime.timedelta(days=rule.report_grace_days)
            missing = selectors.milestones_missing_report(period=period, started_by=nominal)
            for enterprise_id, milestones in missing.items():
                values = {"month": period.strftime("%Y-%m"), "count": len(milestones), "last": last_day.isoformat()}
                subject = _("【月度报送提醒】%(month)s 还有 %(count)s 个时间节点未报送进展") % values
                body = _("%(month)s 的进展报送截止于 %(last)s,以下 %(count)s 个时间节点尚未报送。") % values
                payload = {
                    "month": values["month"],
                    "last_day": values["last"],
                    "milestones": milestones[:50],
                    "count": len(milestones),
                    "url": settings.SITE_URL + reverse("progress:home"),
                }
                for recipient in liaisons.get(enterprise_id, []):
                    planned.append(
                        PlannedNotice(
                            recipient, NotificationKind.REPORT_DUE, None, period, step, subject, body, payload
                        )
                    )
    return planned


def plan_reminders(*, today: datetime.date, rule: ReminderRule) -> list[PlannedNotice]:
    """Every reminder that lands on ``today``, whether or not it was already made."""
    landing = days_landing_on(today)
    if not landing:
        return []
    liaisons = selectors.liaisons_by_enterprise()
    sasac_ids = selectors.user_ids_with_role("sasac_staff")
    with translation.override(settings.LANGUAGE_CODE):
        return [
            *_plan_due(rule, landing, today, liaisons),
            *_plan_overdue(rule, landing, today, liaisons, sasac_ids),
            *_plan_unsigned_urges(rule, landing, today, liaisons, sasac_ids),
            *_plan_reports(rule, landing, liaisons),
            *_plan_followups(rule, landing, today, liaisons, sasac_ids),
        ]


def _plan_followups(rule, landing, today, liaisons, sasac_ids) -> list[PlannedNotice]:
    # Supervision orders and instructions keep their rules in their own module, which imports
    # this one: imported here, when the scan runs.
    from progress.orders.reminders import plan_followup_reminders

    return plan_followup_reminders(rule=rule, landing=landing, today=today, liaisons=liaisons, sasac_ids=sasac_ids)


def plan_digest(*, today: datetime.date) -> list[PlannedNotice]:
    """The weekly digest for SASAC staff and leaders, one per person per week."""
    week_start = today - datetime.timedelta(days=today.weekday())
    sections = selectors.digest_sections(week_start=week_start, today=today)
    totals = sections["totals"]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【每周督办摘要】%(week)s 当周:新逾期 %(overdue)s 项,本周到期 %(due)s 项,待审核 %(review)s 份") % {
            "week": week_start.isoformat(),
            "overdue": totals["newly_overdue"],
            "due": totals["due_this_week"],
            "review": totals["waiting_review"],
        }
        lines = [
            _("%(name)s:新逾期 %(overdue)s,本周到期 %(due)s,待审核 %(review)s")
            % {
                "name": e["name"],
                "overdue": len(e["newly_overdue"]),
                "due": len(e["due_this_week"]),
                "review": e["waiting_review"],
            }
            for e in sections["enterprises"]
        ]
    payload = sections | {"url": settings.SITE_URL + reverse("progress:board")}
    body = "\n".join(lines)
    return [
        PlannedNotice(recipient, NotificationKind.DIGEST, None, week_start, "w", subject, body, payload)
        for recipient in selectors.user_ids_with_role("sasac_staff", "leader")
    ]


def _in_chunks(items: list, size: int | None):
    size = size or len(items) or 1
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _param_chunk() -> int | None:
    limit = connection.features.max_query_params
    return limit - 10 if limit else None


def _write(planned: list[PlannedNotice], rule: ReminderRule) -> list[int]:
    """Insert the notices that do not exist yet and their deliveries; return the new delivery ids.

    Call inside a transaction. Rows are inserted in key order so that two concurrent scans
    take the unique index's locks in the same order and cannot deadlock.
    """
    by_key = {p.dedupe_key: p for p in planned}
    keys = sorted(by_key)
    Notification.objects.bulk_create([by_key[k].as_model() for k in keys], ignore_conflicts=True)
    deliveries = []
    for chunk in _in_chunks(keys, _param_chunk()):
        rows = (
            Notification.objects.filter(dedupe_key__in=chunk, deliveries__isnull=True)
            .values_list("id", "recipient__email")
            .order_by("id")
        )
        for notification_id, email in rows:
            if email:
                deliveries.append(Delivery(notification_id=notification_id, channel=Delivery.Channel.EMAIL))
            if rule.webhook_url:
                deliveries.append(Delivery(notification_id=notification_id, channel=Delivery.Channel.WEBHOOK))
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    notification_ids = sorted({d.notification_id for d in deliveries})
    ids = []
    for chunk in _in_chunks(notification_ids, _param_chunk()):
        ids.extend(Delivery.objects.filter(notification_id__in=chunk).values_list("id", flat=True))
    return sorted(ids)


def new_notices(planned: list[PlannedNotice]) -> list[PlannedNotice]:
    """The planned notices not yet in the database (what a dry run would make)."""
    existing = selectors.existing_dedupe_keys(sorted({p.dedupe_key for p in planned}), _param_chunk() or 100_000)
    seen: set[str] = set()
    result = []
    for p in planned:
        if p.dedupe_key not in existing and p.dedupe_key not in seen:
            seen.add(p.dedupe_key)
            result.append(p)
    return result


def commit_notices(planned: list[PlannedNotice], *, rule: ReminderRule, enqueue: bool) -> ScanResult:
    """Write the planned notices that are new and their deliveries, in one transaction.

    With ``enqueue``, only the deliveries written here are queued; older pending ones are the
    ten-minute ``send_pending_deliveries`` sweep's.
    """
    fresh = new_notices(planned)
    with transaction.atomic():
        delivery_ids = _write(planned, rule) if planned else []
        if enqueue:
            enqueue_deliveries(delivery_ids, rule=rule)
    return ScanResult(planned=planned, created=fresh, delivery_ids=delivery_ids)


def run_scan(*, today: datetime.date, enqueue: bool = True) -> ScanResult:
    """Write the notices due on ``today`` and queue their deliveries after commit.

    ``created`` is what this run found missing before writing; a concurrent scan may have
    written some of them first, which the unique key settles.
    """
    rule = ReminderRule.current()
    return commit_notices(plan_reminders(today=today, rule=rule), rule=rule, enqueue=enqueue)


def run_digest(*, today: datetime.date, enqueue: bool = True) -> ScanResult:
    return commit_notices(plan_digest(today=today), rule=ReminderRule.current(), enqueue=enqueue)


def sendable_delivery_ids() -> list[int]:
    return selectors.sendable_deliveries(now=timezone.now(), lease=delivery_lease())


def enqueue_deliveries(ids: list[int], *, rule: ReminderRule, now: datetime.datetime | None = None) -> list[int]:
    """Queue a send task for each delivery after commit; nothing during quiet hours.

    Held deliveries wait for the next sweep outside quiet hours. Queuing a delivery twice is
    harmless: the sender's claim lets one through.
    """
    now = now or timezone.now()
    if not ids or rule.in_quiet_hours(timezone.localtime(now).time()):
        return []
    from progress.reminders.tasks import send_delivery

    transaction.on_commit(lambda: [send_delivery.delay(delivery_id) for delivery_id in ids])
    return ids


def enqueue_sendable_deliveries(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue a send task, after commit, for every delivery a sender should try now (the sweep)."""
    now = now or timezone.now()
    rule = ReminderRule.current()
    if rule.in_quiet_hours(timezone.localtime(now).time()):
        return []
    return enqueue_deliveries(selectors.sendable_deliveries(now=now, lease=delivery_lease()), rule=rule, now=now)


class RetryLater(Exception):
    def __init__(self, seconds: int, error: str):
        super().__init__(error)
        self.seconds = seconds


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    HELD = "held"
    FAILED = "failed"


def deliver(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one delivery if this caller wins its claim.

    The claim is a conditional UPDATE; only the caller that changed exactly one row sends.
    A failure puts the row back to pending with a backoff and raises ``RetryLater``; after
    ``MAX_ATTEMPTS`` it is marked failed with the error, where SASAC staff see it.
    """
    now = now or timezone.now()
    rule = ReminderRule.current()
    if rule.in_quiet_hours(timezone.localtime(now).time()):
        return Outcome.HELD
    claimed = Delivery.objects.filter(selectors.sendable_q(now=now, lease=delivery_lease()), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return Outcome.SKIPPED
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            channels.send_email(delivery)
        else:
            channels.send_webhook(delivery, url=rule.webhook_url, secret=rule.webhook_secret)
    except Exception as error:  # any channel failure is retried, then recorded
        message = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            mine.update(status=DeliveryStatus.FAILED, last_error=message)
            logger.error("delivery %s failed for good: %s", delivery_id, message)
            return Outcome.FAILED
        backoff = min(BACKOFF_SECONDS * 2 ** (delivery.attempts - 1), MAX_BACKOFF_SECONDS)
        mine.update(
            status=DeliveryStatus.PENDING,
            claimed_at=None,
            last_error=message,
            next_attempt_at=now + datetime.timedelta(seconds=backoff),
        )
        raise RetryLater(backoff, message) from error
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return Outcome.SENT


# --- workflow events ---


def notify(
    *,
    recipient_ids: list[int],
    kind: str,
    key: str,
    subject: str,
    body: str,
    milestone: Milestone | None = None,
    url: str = "",
    payload: dict | None = None,
) -> list[int]:
    """Tell the people who must act next about a workflow event (a request, a decision, a return):
    an in-app notice each, and their e-mail and webhook deliveries, queued after commit.

    ``key`` names the event (e.g. ``"request-42:approved"``); with the recipient it makes the
    dedupe key, so a retried call tells nobody twice. Call inside the transaction that makes the
    event, with the texts already rendered in the product's language (``settings.LANGUAGE_CODE``).
    Returns the new delivery ids.
    """
    if not recipient_ids:
        return []
    rule = ReminderRule.current()
    data = {"url": url or settings.SITE_URL} | (payload or {})
    if milestone is not None:
        data |= {
            "milestone_id": milestone.pk,
            "milestone_title": milestone.title,
            "enterprise": milestone.assignment.enterprise.short_name,
            "due_date": milestone.due_date.isoformat(),
        }
    planned = [
        PlannedNotice(
            recipient,
            kind,
            milestone.pk if milestone is not None else None,
            None,
            key,
            subject,
            body,
            data,
        )
        for recipient in dict.fromkeys(recipient_ids)
    ]
    delivery_ids = _write(planned, rule)
    enqueue_deliveries(delivery_ids, rule=rule)
    return delivery_ids


# --- urges (催办) ---


def urge_milestone(*, milestone: Milestone, by, message: str = "") -> Urge:
    """SASAC staff urge a milestone: the liaisons are told at once; the milestone's history records it.

    The notice is written in the product's language, whatever language the sender's page is in.
    """
    rule = ReminderRule.current()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        urge = Urge.objects.create(milestone=milestone, sent_by=by, message=message)
        Milestone.history.bulk_history_create(
            [milestone],
            update=True,
            default_user=by,
            default_change_reason=_("催办:%(message)s") % {"message": message or "-"},
        )
        row = {
            "id": milestone.pk,
            "title": milestone.title,
            "due_date": milestone.due_date,
            "responsible_user_id": milestone.responsible_user_id,
            "assignment__enterprise_id": milestone.assignment.enterprise_id,
            "assignment__enterprise__short_name": milestone.assignment.enterprise.short_name,
        }
        payload = _milestone_payload(row) | {"message": message, "sent_by": by.get_full_name() or by.username}
        subject = _("【催办】%(title)s") % {"title": milestone.title}
        body = _("国资委对时间节点“%(title)s”(%(due)s 到期)发出催办,请登录系统签收并处理。") % {
            "title": milestone.title,
            "due": milestone.due_date.isoformat(),
        }
        if message:
            body += "\n" + _("催办说明:%(message)s") % {"message": message}
        planned = [
            PlannedNotice(
                recipient,
                NotificationKind.URGE,
                milestone.pk,
                local_today(),
                f"u{urge.pk}",
                subject,
                body,
                payload,
                urge.pk,
            )
            for recipient in _recipients(row, selectors.liaisons_by_enterprise())
        ]
        enqueue_deliveries(_write(planned, rule), rule=rule)
    return urge


def acknowledge_urge(*, urge: Urge, by) -> bool:
    """The liaison signs for an urge (签收). False when someone signed already."""
    with transaction.atomic():
        signed = Urge.objects.filter(pk=urge.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by
        )
        if signed:
            Milestone.history.bulk_history_create(
                [urge.milestone], update=True, default_user=by, default_change_reason=_("签收催办")
            )
    return bool(signed)


# --- notification centre and rules ---


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notices read, or all of them when no id is given."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def update_reminder_rule(*, rule: ReminderRule, by, **values) -> ReminderRule:
    with transaction.atomic():
        for name, value in values.items():
            setattr(rule, name, value)
        rule.updated_by = by
        rule.save()
    return rule
