"""Reads for reminders: who gets what, and the set-based queries the scan runs.

Each query here returns plain values for a whole set of milestones, so the scan's query
count does not grow with the number of milestones.
"""

import dataclasses
import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from enterprises.models import Profile, Role
from progress.models import (
    ChannelConfig,
    Delivery,
    Milestone,
    MilestoneStatus,
    Notification,
    ProgressReport,
    ReminderScan,
    ReviewState,
    Urge,
)
from progress.reminders import channels
from progress.reminders.models import DeliveryStatus, ErrorKind
from progress.scoping import can_edit_enterprise, is_sasac

User = get_user_model()

# Reminders go only to milestones still being worked on. Closed and withdrawn ones get
# nothing; one awaiting closure waits on SASAC, not on the liaison.
REMINDED_STATUSES = (MilestoneStatus.OPEN,)

MILESTONE_FIELDS = (
    "id",
    "title",
    "due_date",
    "responsible_user_id",
    "assignment__enterprise_id",
    "assignment__enterprise__short_name",
)


def _active_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(status__in=REMINDED_STATUSES)


def milestones_due_between(start: datetime.date, end: datetime.date) -> list[dict]:
    return list(_active_milestones().filter(due_date__range=(start, end)).values(*MILESTONE_FIELDS))


def milestones_overdue_on(day: datetime.date) -> list[dict]:
    """Active milestones whose due date is before ``day``."""
    return list(_active_milestones().filter(due_date__lt=day).values(*MILESTONE_FIELDS))


def unsigned_urges() -> list[dict]:
    return list(
        Urge.objects.filter(acknowledged_at__isnull=True, milestone__status__in=REMINDED_STATUSES).values(
            "id", "sent_at", "message", *(f"milestone__{field}" for field in MILESTONE_FIELDS)
        )
    )


def milestones_missing_report(
    *, period: datetime.date, started_by: datetime.date
) -> dict[tuple[int, str], list[dict]]:
    """Active milestones started by ``started_by`` with no report for ``period``, by
    (enterprise id, enterprise short name)."""
    rows = (
        _active_milestones()
        .filter(start_date__lte=started_by)
        .exclude(id__in=ProgressReport.objects.filter(period=period).values("milestone_id"))
        .values("id", "title", "assignment__enterprise_id", "assignment__enterprise__short_name")
        .order_by("assignment__enterprise_id", "due_date", "id")
    )
    by_enterprise: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in rows:
        enterprise = (row["assignment__enterprise_id"], row["assignment__enterprise__short_name"])
        by_enterprise[enterprise].append({"id": row["id"], "title": row["title"]})
    return dict(by_enterprise)


def liaisons_by_enterprise() -> dict[int, list[int]]:
    """Active liaison user ids per enterprise id."""
    rows = Profile.objects.filter(role=Role.LIAISON, user__is_active=True).values_list("enterprise_id", "user_id")
    result: dict[int, list[int]] = defaultdict(list)
    for enterprise_id, user_id in rows.order_by("user_id"):
        result[enterprise_id].append(user_id)
    return dict(result)


def user_ids_with_role(*roles: str) -> list[int]:
    return list(
        Profile.objects.filter(role__in=roles, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def digest_sections(*, week_start: datetime.date, today: datetime.date) -> dict:
    """The Monday digest: newly overdue, due this week, reports waiting for review, per enterprise.

    "Newly overdue" are milestones that fell due during the seven days before ``today``.
    """
    week_end = week_start + datetime.timedelta(days=6)
    enterprises: dict[int, dict] = {}

    def section(enterprise_id: int, name: str) -> dict:
        return enterprises.setdefault(
            enterprise_id, {"name": name, "newly_overdue": [], "due_this_week": [], "waiting_review": 0}
        )

    newly_overdue = milestones_due_between(today - datetime.timedelta(days=7), today - datetime.timedelta(days=1))
    for row in newly_overdue:
        section(row["assignment__enterprise_id"], row["assignment__enterprise__short_name"])["newly_overdue"].append(
            {"id": row["id"], "title": row["title"], "due_date": row["due_date"].isoformat()}
        )
    due_this_week = milestones_due_between(max(week_start, today), week_end)
    for row in due_this_week:
        section(row["assignment__enterprise_id"], row["assignment__enterprise__short_name"])["due_this_week"].append(
            {"id": row["id"], "title": row["title"], "due_date": row["due_date"].isoformat()}
        )
    waiting = (
        ProgressReport.objects.filter(review_state=ReviewState.PENDING)
        .values("milestone__assignment__enterprise_id", "milestone__assignment__enterprise__short_name")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in waiting:
        section(row["milestone__assignment__enterprise_id"], row["milestone__assignment__enterprise__short_name"])[
            "waiting_review"
        ] = row["n"]
    ordered = sorted(enterprises.values(), key=lambda e: (-len(e["newly_overdue"]), e["name"]))
    return {
        "week_start": week_start.isoformat(),
        "week_end": week_end.isoformat(),
        "enterprises": ordered,
        "totals": {
            "newly_overdue": len(newly_overdue),
            "due_this_week": len(due_this_week),
            "waiting_review": sum(e["waiting_review"] for e in ordered),
        },
    }


def existing_dedupe_keys(keys: list[str], chunk: int = 5000) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), chunk):
        found.update(
            Notification.objects.filter(dedupe_key__in=keys[i : i + chunk]).values_list("dedupe_key", flat=True)
        )
    return found


def emails_of(user_ids) -> dict[int, str]:
    """The e-mail address of each active user among ``user_ids`` (empty when none)."""
    return dict(User.objects.filter(pk__in=sorted(user_ids), is_active=True).values_list("pk", "email").order_by())


@dataclasses.dataclass(frozen=True)
class ScanSchedule:
    """When beat runs a scan on a day, read from its crontab row (editable in the admin)."""

    crontab: object
    tz: datetime.tzinfo

    def first_run_on(self, day: datetime.date) -> datetime.datetime | None:
        cron = self.crontab
        if (
            day.month not in cron.month_of_year
            or day.day not in cron.day_of_month
            or day.isoweekday() % 7 not in cron.day_of_week
        ):
            return None
        return datetime.datetime.combine(day, datetime.time(min(cron.hour), min(cron.minute)), tzinfo=self.tz)


def scan_schedule(task_name: str) -> ScanSchedule | None:
    """The enabled crontab schedule of a scan task, or None (disabled, deleted, or not a crontab)."""
    task = (
        PeriodicTask.objects.filter(task=task_name, enabled=True, crontab__isnull=False)
        .select_related("crontab")
        .order_by("id")
        .first()
    )
    if task is None:
        return None
    schedule = task.crontab.schedule
    return ScanSchedule(crontab=schedule, tz=ZoneInfo(str(task.crontab.timezone)))


def oldest_scan_day(kind: str) -> datetime.date | None:
    return ReminderScan.objects.filter(kind=kind).order_by("day").values_list("day", flat=True).first()


def completed_scan_days(kind: str, *, since: datetime.date) -> set[datetime.date]:
    return set(ReminderScan.objects.filter(kind=kind, day__gte=since).values_list("day", flat=True))


def failed_deliveries(limit: int = 10) -> list[Delivery]:
    """The latest final failures, shown to SASAC staff on the reminder rules page, each with
    ``error_label`` (the reason in the user's language). A group robot's row names no recipient:
    it went to a group, once per event."""
    rows = list(
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("notification__recipient")
        .order_by("-id")[:limit]
    )
    for row in rows:
        row.error_label = describe_error(row.error_code)
    return rows


@dataclasses.dataclass(frozen=True)
class FailureGroup:
    channel: str
    error_code: str
    error_kind: str
    count: int

    @property
    def channel_label(self) -> str:
        return channels.get(self.channel).label

    @property
    def error_label(self) -> str:
        return describe_error(self.error_code)

    @property
    def permanent(self) -> bool:
        return self.error_kind == ErrorKind.PERMANENT


def failure_groups() -> list[FailureGroup]:
    """Final failures counted by channel and error, the largest first."""
    rows = (
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .values("channel", "error_code", "error_kind")
        .annotate(n=Count("id"))
        .order_by("-n", "channel", "error_code")
    )
    return [FailureGroup(r["channel"], r["error_code"], r["error_kind"], r["n"]) for r in rows]


def delivery_counts() -> list[dict]:
    """Per outside channel: how many deliveries wait, are being sent, went out and failed."""
    counts = {
        (row["channel"], row["status"]): row["n"]
        for row in Delivery.objects.values("channel", "status").annotate(n=Count("id")).order_by()
    }
    return [
        {"channel": channel, **{status: counts.get((channel.name, status), 0) for status in DeliveryStatus.values}}
        for channel in channels.outside()
    ]


ERROR_LABELS = {
    "deadline": _("发送超时(超过发送时限)"),
    "connect": _("无法连接接收方"),
    "network": _("网络中断"),
    "dns": _("无法解析接收方的主机名"),
    "tls": _("接收方的 HTTPS 证书未通过校验"),
    "smtp": _("邮件服务器出错"),
    "no_address": _("收件人没有电子邮件地址"),
    "not_configured": _("渠道未配置或已停用"),
    "robot:answer": _("接收方的回复不像机器人接口"),
    "error": _("系统内部错误"),
}
ERROR_PREFIX_LABELS = {
    "blocked": _("地址被出站安全策略拒绝"),
    "http": _("接收方回复 HTTP %(code)s"),
    "smtp": _("邮件服务器回复 %(code)s"),
    "robot": _("机器人拒收(错误码 %(code)s)"),
}


def describe_error(code: str) -> str:
    """A failure code ("http:500", "smtp:550", "deadline") in the user's language."""
    if code in ERROR_LABELS:
        return str(ERROR_LABELS[code])
    prefix, _sep, detail = code.partition(":")
    if prefix in ERROR_PREFIX_LABELS:
        label = ERROR_PREFIX_LABELS[prefix]
        return str(label) % {"code": detail} if "%(code)s" in str(label) else str(label)
    return code or str(_("未知错误"))


def channel_configs() -> dict[str, ChannelConfig]:
    return {config.channel: config for config in ChannelConfig.objects.all()}


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("milestone")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def urges_of_milestone(milestone: Milestone) -> QuerySet[Urge]:
    """The milestone's urges, newest first, with who sent and who signed."""
    return milestone.urges.select_related("sent_by", "acknowledged_by").order_by("-sent_at", "-id")


def milestone_can_be_urged(milestone: Milestone) -> bool:
    return milestone.status not in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN)


@dataclasses.dataclass(frozen=True)
class UrgePanel:
    """What the milestone page's urge panel shows to one user; iterating yields the urges."""

    urges: list[Urge]
    can_urge: bool
    can_sign: bool
    reply_max_length: int = Urge.REPLY_MAX_LENGTH

    def __iter__(self):
        return iter(self.urges)


def urge_panel_context(user, milestone: Milestone) -> UrgePanel:
    """The urges with who may urge (SASAC staff, milestone still open to it) and who may sign
    (the enterprise's liaisons): the same tests the urge and sign views apply."""
    return UrgePanel(
        urges=list(urges_of_milestone(milestone)),
        can_urge=is_sasac(user) and milestone_can_be_urged(milestone),
        can_sign=can_edit_enterprise(user, milestone.assignment.enterprise),
    )
