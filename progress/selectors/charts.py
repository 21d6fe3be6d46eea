"""What each chart on /charts/ is fed: SQL aggregates only, a fixed number of queries.

Every function takes the milestones the viewer may see (``progress.scoping``) and returns
plain rows; ``progress.views.charts`` turns them into plotly figures and board links.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Greatest, RowNumber, TruncDate
from django.utils import timezone

from directives.models import Category, Indicator
from progress.health import (
    CLOSED,
    GREEN,
    RED,
    WITHDRAWN,
    YELLOW,
    HealthRules,
    annotate_health,
    annotate_trajectory,
    health_condition,
)
from progress.models import AssessmentScore, IndicatorValue, MilestoneStatus, ProgressReport

TREND_WEEKS = 26
DUE_SOON_DAYS = 90
CHART_HEALTHS = (RED, YELLOW, GREEN, CLOSED)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Asia/Shanghai, to compare with timestamps."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass(frozen=True)
class EnterpriseCompletion:
    enterprise_id: int
    short_name: str
    average_progress: float
    milestones: int
    closed: int


def health_breakdown(milestones: QuerySet, *, on: datetime.date) -> list[dict]:
    """Milestones counted per (enterprise, category, health), with their summed progress.

    One GROUP BY over every milestone feeds two charts (``completion_by_enterprise`` and
    ``health_by_category``): at most enterprises x categories x healths rows come back.
    """
    return list(
        annotate_health(milestones, on=on, rules=HealthRules.from_settings())
        .values(
            "assignment__enterprise_id",
            "assignment__enterprise__short_name",
            "assignment__directive__category",
            "health",
        )
        .annotate(rows=Count("pk"), progress_sum=Sum("progress"))
        .order_by()
    )


def completion_by_enterprise(breakdown: list[dict]) -> list[EnterpriseCompletion]:
    """Average progress of each enterprise's tracked (not withdrawn) milestones, best first."""
    totals: dict[int, dict] = {}
    for row in breakdown:
        if row["health"] == WITHDRAWN:
            continue
        total = totals.setdefault(
            row["assignment__enterprise_id"],
            {"name": row["assignment__enterprise__short_name"], "rows": 0, "progress": 0, "closed": 0},
        )
        total["rows"] += row["rows"]
        total["progress"] += row["progress_sum"]
        total["closed"] += row["rows"] if row["health"] == CLOSED else 0
    rows = [
        EnterpriseCompletion(
            enterprise_id=enterprise_id,
            short_name=total["name"],
            average_progress=round(total["progress"] / total["rows"], 1),
            milestones=total["rows"],
            closed=total["closed"],
        )
        for enterprise_id, total in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row.average_progress, row.short_name))


def health_by_category(breakdown: list[dict]) -> dict[str, dict[str, int]]:
    """{category: {health: count}} for red, yellow, green and closed milestones."""
    found: dict[str, dict[str, int]] = {}
    for row in breakdown:
        if row["health"] in CHART_HEALTHS:
            category = found.setdefault(row["assignment__directive__category"], dict.fromkeys(CHART_HEALTHS, 0))
            category[row["health"]] += row["rows"]
    return {category: found[category] for category in Category.values if category in found}


def overdue_trend(
    milestones: QuerySet, *, on: datetime.date, weeks: int = TREND_WEEKS
) -> list[tuple[datetime.date, int]]:
    """Milestones overdue on each of the last ``weeks`` weekly days D (ending ``on``), from the dates.

    Overdue on D: not withdrawn, it existed on D, its due date was before D, and it was not
    closed by the end of D. So a milestone is overdue from max(due date + 1, creation day)
    until (not including) its closure day. Two GROUP BY queries count those start and end
    days; running sums over the few thousand distinct days give every point.
    """
    tracked = milestones.exclude(status=MilestoneStatus.WITHDRAWN).order_by()
    created_day = TruncDate("created_at")
    closed_day = TruncDate("closed_at")
    # Work closed on or before the day it would have turned overdue never was.
    became_overdue = tracked.alias(
        began=Greatest(F("due_date") + datetime.timedelta(days=1), created_day), closed_day=closed_day
    ).filter(Q(closed_at__isnull=True) | Q(closed_day__gt=F("began")))
    starts = became_overdue.values(day=F("began")).annotate(rows=Count("pk")).order_by()
    ends = (
        became_overdue.filter(closed_at__isnull=False).values(day=F("closed_day")).annotate(rows=Count("pk")).order_by()
    )
    change: dict[datetime.date, int] = {}
    for rows, sign in ((starts, 1), (ends, -1)):
        for row in rows:
            day = row["day"].date() if isinstance(row["day"], datetime.datetime) else row["day"]
            change[day] = change.get(day, 0) + sign * row["rows"]
    days = [on - datetime.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    return [(day, sum(delta for changed, delta in change.items() if changed <= day)) for day in days]


def due_soon_by_week(milestones: QuerySet, *, on: datetime.date, days: int = DUE_SOON_DAYS) -> list[dict]:
    """Open milestones due from today for ``days`` days, per week (Monday first), yellow and green."""
    rules = HealthRules.from_settings()
    last = on + datetime.timedelta(days=days - 1)
    rows = (
        annotate_trajectory(milestones, on=on, rules=rules)
        .filter(due_date__gte=on, due_date__lte=last)
        .exclude(status__in=[MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN])
        .values("due_date")
        .annotate(
            yellow=Count("pk", filter=health_condition(YELLOW, on=on, rules=rules)),
            green=Count("pk", filter=health_condition(GREEN, on=on, rules=rules)),
        )
        .order_by("due_date")
    )
    weeks: dict[datetime.date, dict] = {}
    monday = on - datetime.timedelta(days=on.weekday())
    while monday <= last:
        weeks[monday] = {
            "start": max(monday, on),
            "end": min(monday + datetime.timedelta(days=6), last),
            YELLOW: 0,
            GREEN: 0,
        }
        monday += datetime.timedelta(days=7)
    for row in rows:  # at most ``days`` rows: one per due date
        week = weeks[row["due_date"] - datetime.timedelta(days=row["due_date"].weekday())]
        week[YELLOW] += row["yellow"]
        week[GREEN] += row["green"]
    return list(weeks.values())


@dataclass(frozen=True)
class IndicatorTotal:
    indicator_id: int
    directive_id: int
    name: str
    unit: str
    total: Decimal
    target: Decimal | None
    milestones: int


def indicator_totals(milestones: QuerySet) -> list[IndicatorTotal]:
    """For each indicator: the sum over milestones of its latest reported value, and its target.

    "Latest" is per milestone and indicator: the value in the newest report (by period) that
    carries it. A window function picks it and a GROUP BY over those rows adds them up, both
    inside the database (one query), then one small query reads the indicators.
    """
    # The value's milestone and period by primary key per value (correlated subqueries), not a
    # join: PostgreSQL would otherwise scan the whole ledger to reach the reports that carry values.
    report = ProgressReport.objects.filter(pk=OuterRef("report_id")).order_by()
    tracked = milestones.exclude(status=MilestoneStatus.WITHDRAWN).order_by().values("pk")
    latest = (
        IndicatorValue.objects.annotate(
            value_milestone=Subquery(report.values("milestone_id")),
            value_period=Subquery(report.values("period")),
        )
        .filter(value_milestone__in=tracked)
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("value_milestone"), F("indicator_id")],
                order_by=F("value_period").desc(),
            )
        )
        .filter(newest=1)
        .values("indicator_id", "value")
        .order_by()
    )
    inner, params = latest.query.sql_with_params()
    # Django cannot GROUP BY over a window-filtered queryset, so the outer sum is written here.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT latest.indicator_id, SUM(latest.value), COUNT(*) "
            f"FROM ({inner}) latest GROUP BY latest.indicator_id",
            params,
        )
        sums = {indicator_id: (total, count) for indicator_id, total, count in cursor.fetchall()}
    indicators = Indicator.objects.filter(pk__in=sums).order_by("directive__position", "code")
    return [
        IndicatorTotal(
            indicator_id=indicator.pk,
            directive_id=indicator.directive_id,
            name=indicator.name,
            unit=indicator.unit,
            total=Decimal(sums[indicator.pk][0]).quantize(Decimal("0.01")),
            target=indicator.target,
            milestones=sums[indicator.pk][1],
        )
        for indicator in indicators
    ]


def latest_assessment_quarter() -> str | None:
    return AssessmentScore.objects.aggregate(latest=Max("quarter"))["latest"]
