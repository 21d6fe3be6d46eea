"""Reads for reminders: who gets what, and the set-based queries the scan runs.

Each query here returns plain values for a whole set of milestones, so the scan's query
count does not grow with the number of milestones.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from enterprises.models import Profile, Role
from progress.models import (
    Delivery,
    Milestone,
    MilestoneStatus,
    Notification,
    ProgressReport,
    ReviewState,
    Urge,
)
from progress.reminders.models import DeliveryStatus
from progress.scoping import can_edit_enterprise, is_sasac

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


def milestones_missing_report(*, period: datetime.date, started_by: datetime.date) -> dict[int, list[dict]]:
    """Active milestones started by ``started_by`` with no report for ``period``, by enterprise id."""
    rows = (
        _active_milestones()
        .filter(start_date__lte=started_by)
        .exclude(id__in=ProgressReport.objects.filter(period=period).values("milestone_id"))
        .values("id", "title", "assignment__enterprise_id")
        .order_by("assignment__enterprise_id", "due_date", "id")
    )
    by_enterprise: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_enterprise[row["assignment__enterprise_id"]].append({"id": row["id"], "title": row["title"]})
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


def existing_dedupe_keys(keys: list[str], chunk: int) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), chunk):
        found.update(
            Notification.objects.filter(dedupe_key__in=keys[i : i + chunk]).values_list("dedupe_key", flat=True)
        )
    return found


def sendable_q(*, now: datetime.datetime, lease: datetime.timedelta) -> Q:
    """Deliveries a sender may take now: pending ones whose backoff has passed, and claims left by dead workers.

    The sweep lists them with this and the sender claims with it, so the two never disagree.
    """
    return (
        Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=True)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
    )


def sendable_deliveries(*, now: datetime.datetime, lease: datetime.timedelta, limit: int = 5000) -> list[int]:
    """The ids of the deliveries a sender should try now (``sendable_q``)."""
    return list(
        Delivery.objects.filter(sendable_q(now=now, lease=lease)).order_by("id").values_list("id", flat=True)[:limit]
    )


def failed_deliveries(limit: int = 50) -> QuerySet[Delivery]:
    """Final failures, shown to SASAC staff on the reminder rules page."""
    return (
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("notification__recipient", "notification__milestone")
        .order_by("-id")[:limit]
    )


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
