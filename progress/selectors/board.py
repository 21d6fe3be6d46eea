"""Reads for the progress board (督办看板): the rows, the counts per health, the export rows.

Every read starts from ``progress.scoping.visible_milestones`` so a liaison sees only their
enterprise. Health comes from ``progress.health`` as SQL, so filtering, sorting and counting
never load rows into Python.
"""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from directives.models import Assignment
from progress.health import (
    CLOSED,
    GREEN,
    HEALTH_LABELS,
    RED,
    WITHDRAWN,
    YELLOW,
    HealthRules,
    annotate_health,
    health_condition,
    today,
)
from progress.models import ProgressReport
from progress.scoping import visible_milestones

BOARD_HEALTHS = (RED, YELLOW, GREEN, CLOSED, WITHDRAWN)

# The columns a board row needs, and nothing else: the page and the export read only these.
BOARD_FIELDS = (
    "id",
    "title",
    "responsible_person",
    "start_date",
    "due_date",
    "progress",
    "status",
    "assignment",
    "latest_report",
)


def board_milestones(user, *, on: datetime.date | None = None, base: QuerySet | None = None) -> QuerySet:
    """The milestones ``user`` may see, with ``health`` and ``health_rank``, ready for the table.

    ``base`` narrows further (the enterprise workspace passes its enterprise's milestones);
    it must itself come from ``visible_milestones``.
    """
    queryset = base if base is not None else visible_milestones(user)
    queryset = annotate_health(queryset, on=on or today(), rules=HealthRules.from_settings())
    # The page query reads the milestone table alone; its 50 rows' assignments (with enterprise
    # and directive) and latest reports come in two more queries. Joins would make PostgreSQL
    # join every row (and all 200,000 reports) before sorting by health or progress.
    # Sorting by the latest report's date or review state reads it by primary key per row
    # (a correlated subquery); PostgreSQL evaluates it only for the rows it needs.
    latest = ProgressReport.objects.filter(pk=OuterRef("latest_report_id")).order_by()
    return (
        queryset.annotate(
            latest_report_at=Subquery(latest.values("submitted_at")),
            latest_review_state=Subquery(latest.values("review_state")),
        )
        .only(*BOARD_FIELDS)
        .prefetch_related(
            Prefetch(
                "assignment",
                queryset=Assignment.objects.select_related("enterprise", "directive").only(
                    "enterprise__code", "enterprise__short_name", "directive__number", "directive__title"
                ),
            ),
            Prefetch("latest_report", queryset=ProgressReport.objects.only("id", "submitted_at", "review_state")),
        )
    )


def health_counts(queryset: QuerySet, *, on: datetime.date) -> dict[str, int]:
    """Rows per health for a (filtered) ``board_milestones`` queryset, in ONE aggregate query.

    Green is what is left of the open rows once red and yellow are counted, so the costly
    yellow rule is evaluated once per row. The healths partition the rows, so their sum is
    the total: the paginator gets it from here instead of running a second COUNT(*).
    """
    rules = HealthRules.from_settings()
    counts = queryset.order_by().aggregate(
        closed=Count("pk", filter=Q(status="closed")),
        withdrawn=Count("pk", filter=Q(status="withdrawn")),
        red=Count("pk", filter=health_condition(RED, on=on, rules=rules)),
        yellow=Count("pk", filter=health_condition(YELLOW, on=on, rules=rules)),
        open=Count("pk", filter=~Q(status__in=["closed", "withdrawn"])),
    )
    return {
        RED: counts["red"],
        YELLOW: counts["yellow"],
        GREEN: counts["open"] - counts["red"] - counts["yellow"],
        CLOSED: counts["closed"],
        WITHDRAWN: counts["withdrawn"],
    }


def health_summary(counts: dict[str, int]) -> list[dict]:
    return [{"health": h, "label": HEALTH_LABELS[h], "count": counts[h]} for h in BOARD_HEALTHS]
