"""SASAC's decision queue (审核队列): what waits for a decision, per tab, and how many.

The tabs: reports awaiting review, closure requests, extension / change / withdrawal requests,
and implementation plans awaiting approval. Every read takes the user's scope from
``progress.scoping``.
"""

from django.db import connection
from django.db.models import Prefetch, QuerySet

from progress import scoping
from progress.models import ImplementationPlan, Milestone, PlanStatus, RequestKind, RequestState, ReviewState

TABS = ("reports", "closures", "requests", "plans")


def _waiting(user) -> dict[str, QuerySet]:
    requests = scoping.visible_requests(user).filter(state=RequestState.PENDING)
    return {
        "reports": scoping.visible_reports(user).filter(review_state=ReviewState.PENDING),
        "closures": requests.filter(kind=RequestKind.CLOSURE),
        "requests": requests.exclude(kind=RequestKind.CLOSURE),
        "plans": scoping.visible_plans(user).filter(status=PlanStatus.SUBMITTED),
    }


def decision_counts(user) -> dict[str, int]:
    """How many items wait in each tab, and ``total``, in ONE query (every page's header shows them)."""
    parts, params = [], []
    for queryset in _waiting(user).values():
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) waiting)")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counts = dict(zip(TABS, (int(n) for n in row), strict=True))
    counts["total"] = sum(counts.values())
    return counts


def plans_awaiting(user, *, enterprise: str = "") -> QuerySet[ImplementationPlan]:
    """Plans submitted for approval, oldest first, each with its milestones (the timetable) to read in place."""
    plans = _waiting(user)["plans"]
    if enterprise:
        plans = plans.filter(enterprise__code=enterprise)
    milestones = Milestone.objects.select_related("assignment__directive").order_by(
        "assignment__directive__position", "due_date", "id"
    )
    return (
        plans.select_related("enterprise")
        .prefetch_related(Prefetch("enterprise__assignments__milestones", queryset=milestones))
        .order_by("submitted_at", "id")
    )
