"""The schedule rules: which reminders land on a day, derived from the milestones themselves.

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

Nothing here writes: the outbox (``progress.reminders.outbox``) stores what these plan.
"""

import dataclasses
import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from progress.models import Notification, NotificationKind, ReminderRule
from progress.reminders import selectors
from progress.reminders.workdays import days_landing_on, first_working_day_after


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """The calendar day in Asia/Shanghai (settings.TIME_ZONE): a new day starts at local midnight."""
    return timezone.localdate(now or timezone.now())


@dataclasses.dataclass(frozen=True)
class PlannedNotice:
    """One notice to one person. Its ``event_key`` is what the notices of one event to several
    people share (a group robot posts each event once); ``scope`` tells apart events that have
    no milestone, such as each enterprise's report reminder."""

    recipient_id: int
    kind: str
    milestone_id: int | None
    due_on: datetime.date | None
    step: str
    subject: str
    body: str
    payload: dict
    urge_id: int | None = None
    scope: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"{self.recipient_id}:{self._key(self.milestone_id or '-')}"

    @property
    def event_key(self) -> str:
        return self._key(self.scope or self.milestone_id or "-")

    def _key(self, subject) -> str:
        due = self.due_on.isoformat() if self.due_on else "-"
        return f"{subject}:{self.kind}:{due}:{self.step}"

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


def milestone_payload(row: dict, prefix: str = "") -> dict:
    return {
        "milestone_id": row[f"{prefix}id"],
        "milestone_title": row[f"{prefix}title"],
        "enterprise": row[f"{prefix}assignment__enterprise__short_name"],
        "due_date": row[f"{prefix}due_date"].isoformat(),
        "url": settings.SITE_URL + reverse("progress:milestone_detail", args=[row[f"{prefix}id"]]),
    }


def recipients_of(row: dict, liaisons: dict[int, list[int]], prefix: str = "") -> list[int]:
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
        payload = milestone_payload(row) | {"days_left": days_left}
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
        for recipient in recipients_of(row, liaisons):
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
        payload = milestone_payload(row) | {"days_overdue": late}
        values = {"enterprise": payload["enterprise"], "title": row["title"], "due": payload["due_date"], "days": late}
        if repeats:
            subject = _("【逾期提醒】%(title)s 已逾期 %(days)s 天") % values
            body = _("%(enterprise)s 的时间节点“%(title)s”应于 %(due)s 完成,已逾期 %(days)s 天,请尽快处理并报送进展。")
            for recipient in recipients_of(row, liaisons):
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
        payload = milestone_payload(row, "milestone__") | {"message": row["message"], "urge_sent_on": str(sent_on)}
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
            for recipient in recipients_of(row, liaisons, "milestone__"):
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
            for (enterprise_id, enterprise), milestones in missing.items():
                values = {"month": period.strftime("%Y-%m"), "count": len(milestones), "last": last_day.isoformat()}
                subject = _("【月度报送提醒】%(month)s 还有 %(count)s 个时间节点未报送进展") % values
                body = _("%(month)s 的进展报送截止于 %(last)s,以下 %(count)s 个时间节点尚未报送。") % values
                payload = {
                    "enterprise": enterprise,
                    "month": values["month"],
                    "last_day": values["last"],
                    "milestones": milestones[:50],
                    "count": len(milestones),
                    "url": settings.SITE_URL + reverse("progress:home"),
                }
                for recipient in liaisons.get(enterprise_id, []):
                    planned.append(
                        PlannedNotice(
                            recipient,
                            NotificationKind.REPORT_DUE,
                            None,
                            period,
                            step,
                            subject,
                            body,
                            payload,
                            scope=f"e{enterprise_id}",
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
