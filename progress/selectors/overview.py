"""What the home page shows each role: counts and the work that needs attention."""

import datetime

from django.db.models import Count, F, QuerySet

from directives.models import Directive
from progress.health import CLOSED, GREEN, RED, WITHDRAWN, YELLOW, HealthRules, annotate_health, health_condition, today
from progress.models import Milestone, RequestState, ReviewState
from progress.scoping import (
    visible_assignments,
    visible_enterprises,
    visible_milestones,
    visible_reports,
    visible_requests,
)
from progress.selectors.board import health_counts
from progress.silence import long_silent_condition


def attention_milestones(milestones: QuerySet[Milestone], *, on: datetime.date, limit: int = 10) -> list[Milestone]:
    """Open milestones most in need of a look: overdue first, then those due soonest."""
    return list(
        annotate_health(milestones, on=on)
        .filter(health__in=[RED, YELLOW])
        .select_related("assignment__enterprise", "assignment__directive")
        .order_by("health_rank", "due_date", "id")[:limit]
    )


def overview_for(user) -> dict:
    """The numbers on the home page, scoped to what ``user`` may see."""
    on = today()
    milestones = visible_milestones(user)
    counts = health_counts(annotate_health(milestones, on=on, select=False), on=on)
    open_total = counts[RED] + counts[YELLOW] + counts[GREEN]
    return {
        "on": on,
        "health_counts": counts,
        "open_total": open_total,
        "closed_total": counts[CLOSED],
        "long_silent": milestones.filter(long_silent_condition(on=on)).count(),
        "tracked_total": sum(n for h, n in counts.items() if h != WITHDRAWN),
        "enterprise_count": visible_enterprises(user).filter(is_active=True).count(),
        "assignment_count": visible_assignments(user).count(),
        "directive_count": Directive.objects.filter(is_active=True).exclude(kind="section").count(),
        "pending_reviews": visible_reports(user).filter(review_state=ReviewState.PENDING).count(),
        "pending_requests": visible_requests(user).filter(state=RequestState.PENDING).count(),
        "returned_reports": list(
            visible_reports(user)
            .filter(review_state=ReviewState.RETURNED)
            .select_related("milestone__assignment__enterprise")
            .order_by("-reviewed_at")[:10]
        ),
        "attention": attention_milestones(milestones, on=on),
    }


def enterprises_by_overdue(user, *, limit: int = 10) -> list[dict]:
    """Enterprises with the most overdue (red) milestones, of their tracked ones, for SASAC and leaders."""
    red = health_condition(RED, on=today(), rules=HealthRules.from_settings())
    return list(
        visible_milestones(user)
        .exclude(status=WITHDRAWN)
        .values(
            code=F("assignment__enterprise__code"),
            short_name=F("assignment__enterprise__short_name"),
            sector=F("assignment__enterprise__sector"),
        )
        .annotate(overdue=Count("pk", filter=red), total=Count("pk"))
        .filter(overdue__gt=0)
        .order_by("-overdue", "code")[:limit]
    )
