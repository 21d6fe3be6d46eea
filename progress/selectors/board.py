"""Reads for the progress board (督办看板): the rows, the counts per health, the export rows.

Every read starts from ``progress.scoping.visible_milestones`` so a liaison sees only their
enterprise. Health comes from ``progress.health`` as SQL, so filtering, sorting and counting
never load rows into Python.
"""

import datetime

from django.db.models import Count, F, QuerySet

from progress.health import (
    CLOSED,
    GREEN,
    HEALTH_LABELS,
    RED,
    WITHDRAWN,
    YELLOW,
    HealthRules,
    annotate_health,
    today,
)
from progress.scoping import visible_milestones

BOARD_HEALTHS = (RED, YELLOW, GREEN, CLOSED, WITHDRAWN)


def board_milestones(user, *, on: datetime.date | None = None, base: QuerySet | None = None) -> QuerySet:
    """The milestones ``user`` may see, with ``health`` and ``health_rank``, ready for the table.

    ``base`` narrows further (the enterprise workspace passes its enterprise's milestones);
    it must itself come from ``visible_milestones``.
    """
    queryset = base if base is not None else visible_milestones(user)
    # Aliases, not columns: the counts group by ``health`` and the sorts order by ``health_rank``
    # and the latest report's fields, but a page of 50 rows gets its health from ``health_of``
    # (``progress.tables``) instead of evaluating the rule, and its look-ups, in SQL.
    queryset = annotate_health(queryset, on=on or today(), rules=HealthRules.from_settings(), select=False)
    # The page query reads the milestone table alone; its 50 rows' assignments (with enterprise
    # and directive) and latest reports come in two more queries. Joins would make PostgreSQL
    # join every row (and all 200,000 reports) before sorting by health or progress.
    # Sorting by the latest report's date or review state reads the copies the ledger services
    # store on the milestone (``latest_report_at``, ``latest_review_state``), from their indexes.
    # Every read of these rows is a values_list (page, counts, export), so no .only() is needed.
    return queryset


def health_counts(queryset: QuerySet, *, on: datetime.date) -> dict[str, int]:
    """Rows per health for a (filtered) ``board_milestones`` queryset, in ONE GROUP BY query.

    It groups by the ``health`` alias the queryset already carries: each row's health is
    worked out once (closed and withdrawn rows by their status alone), in one scan, which
    matters when a filter is itself costly (free text). The healths partition the rows, so
    their sum is the total: the paginator gets it from here instead of running a COUNT(*).
    """
    counts = dict.fromkeys(BOARD_HEALTHS, 0)
    grouped = queryset.order_by().annotate(row_health=F("health")).values_list("row_health").annotate(rows=Count("pk"))
    for health, rows in grouped:
        counts[health] = rows
    return counts


def health_summary(counts: dict[str, int]) -> list[dict]:
    return [{"health": h, "label": HEALTH_LABELS[h], "count": counts[h]} for h in BOARD_HEALTHS]
