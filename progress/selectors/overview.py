"""What the home page shows each role: counts and the work that needs attention."""

import datetime

from django.db.models import Count, Q, QuerySet

from directives.models import Directive
from progress.health import CLOSED, GREEN, HEALTH_ORDER, RED, WITHDRAWN, YELLOW, annotate_health, today
from progress.models import ImplementationPlan, Milestone, ReviewState
from progress.scoping import visible_assignments, visible_enterprises, visible_milestones, visible_reports


def health_counts(milestones: QuerySet[Milestone], *, on: datetime.date) -> dict[str, int]:
    """Milestones per health state, in one query."""
    rows = annotate_health(milestones, on=on).order_by().values("health").annotate(n=Count("id"))
    counts = dict.fromkeys(HEALTH_ORDER, 0)
    counts.update({row["health"]: row["n"] for row in rows})
    return counts


def attention_milestones(milestones: QuerySet[Milestone], *, on: datetime.date, limit: int = 10) -> list[Milestone]:
    """Open milestones most in need of a look: overdue first, then those due soonest."""
    return list(
        annotate_health(milestones, on=on)
        .filter(health__in=[RED, YELLOW])
        .select_related("assignment__enterprise", "assignment__directive", "latest_report")
        .order_by("health_rank", "due_date", "id")[:limit]
    )


def overview_for(user) -> dict:
    """The numbers on the home page, scoped to what ``user`` may see."""
    on = today()
    milestones = visible_milestones(user)
    counts = health_counts(milestones, on=on)
    open_total = counts[RED] + counts[YELLOW] + counts[GREEN]
    return {
        "on": on,
        "health_counts": counts,
        "open_total": open_total,
        "closed_total": counts[CLOSED],
        "tracked_total": sum(n for h, n in counts.items() if h != WITHDRAWN),
        "enterprise_count": visible_enterprises(user).filter(is_active=True).count(),
        "assignment_count": visible_assignments(user).count(),
        "directive_count": Directive.objects.filter(is_active=True).exclude(kind="section").count(),
        "pending_reviews": visible_reports(user).filter(review_state=ReviewState.PENDING).count(),
        "returned_reports": list(
            visible_reports(user)
            .filter(review_state=ReviewState.RETURNED)
            .select_related("milestone__assignment__enterprise")
            .order_by("-reviewed_at")[:10]
        ),
        "attention": attention_milestones(milestones, on=on),
    }


def enterprises_by_overdue(user, *, limit: int = 10) -> list[dict]:
    """Enterprises with the most overdue milestones (red), for SASAC and leaders."""
    on = today()
    not_done = ~Q(assignments__milestones__status__in=["closed", "withdrawn"])
    overdue = not_done & Q(assignments__milestones__due_date__lt=on)
    return list(
        visible_enterprises(user)
        .annotate(
            overdue=Count("assignments__milestones", filter=overdue),
            total=Count("assignments__milestones", filter=~Q(assignments__milestones__status="withdrawn")),
        )
        .filter(overdue__gt=0)
        .order_by("-overdue", "code")
        .values("code", "short_name", "sector", "overdue", "total")[:limit]
    )


def plan_of(enterprise) -> ImplementationPlan | None:
    return ImplementationPlan.objects.filter(enterprise=enterprise).first()
