"""What each chart on /charts/ is fed: SQL aggregates only, a fixed number of queries.

Every function takes the milestones the viewer may see (``progress.scoping``) and returns
plain rows; ``progress.views.charts`` turns them into plotly figures and board links.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from directives.models import Assignment, Category, Directive, Indicator
from enterprises.models import Enterprise
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
from progress.models import AssessmentScore, IndicatorValue, MilestoneStatus
from progress.selectors.commitments import FACT_FIELDS, LaterDecisions, was_overdue

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

    One query feeds two charts (``completion_by_enterprise`` and ``health_by_category``): it
    groups the milestone table alone by (assignment, health), then joins those few thousand
    groups to their assignment, enterprise and directive and groups again. Joining first
    pushed all 22,000 rows through three joins. At most enterprises x categories x healths
    rows come back.
    """
    counted = (
        annotate_health(milestones, on=on, rules=HealthRules.from_settings())
        .values("assignment_id", "health")
        .annotate(rows=Count("pk"), progress_sum=Sum("progress"))
        .order_by()
    )
    inner, params = counted.query.sql_with_params()
    assignment = Assignment._meta.db_table
    enterprise = Enterprise._meta.db_table
    directive = Directive._meta.db_table
    # Django cannot join a grouped queryset to other tables, so the outer query is written here.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.enterprise_id, e.short_name, d.category, g.health, "
            "CAST(SUM(g.rows) AS INTEGER), CAST(SUM(g.progress_sum) AS INTEGER) "
            f"FROM ({inner}) g JOIN {assignment} a ON a.id = g.assignment_id "
            f"JOIN {enterprise} e ON e.id = a.enterprise_id JOIN {directive} d ON d.id = a.directive_id "
            "GROUP BY a.enterprise_id, e.short_name, d.category, g.health",
            params,
        )
        return [
            {
                "assignment__enterprise_id": enterprise_id,
                "assignment__enterprise__short_name": short_name,
                "assignment__directive__category": category,
                "health": health,
                "rows": rows,
                "progress_sum": progress_sum,
            }
            for enterprise_id, short_name, category, health, rows, progress_sum in cursor.fetchall()
        ]


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

    Overdue on D: tracked on D, it existed on D, its due date as committed on D was before D, and
    it was not closed by the end of D (an extension or withdrawal SASAC granted later does not
    rewrite the past: ``progress.selectors.commitments``). So a milestone is overdue from
    max(due date + 1, creation day) until (not including) its closure day. One scan of the
    milestones counts every point (one filtered COUNT per day).
    """
    return overdue_trend_on(milestones, days=[on - datetime.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)])


def overdue_trend_on(milestones: QuerySet, *, days: list[datetime.date]) -> list[tuple[datetime.date, int]]:
    """Milestones overdue on each of ``days`` (oldest first), as ``overdue_trend`` counts them."""

    def overdue_on(day: datetime.date) -> Q:
        # began <= D < closure day, on the raw columns (no time zone conversion per row and day):
        # due before D, created before the end of D, not closed by the end of D.
        end_of_day = start_of_day(day + datetime.timedelta(days=1))
        return Q(due_date__lt=day, created_at__lt=end_of_day) & (
            Q(closed_at__isnull=True) | Q(closed_at__gte=end_of_day)
        )

    # Milestones whose due date or withdrawal SASAC decided after the first point are placed by
    # the commitment of each day (progress.selectors.commitments), the rest by their columns.
    later = LaterDecisions.since(start_of_day(days[0] + datetime.timedelta(days=1)), milestones)
    counts = (
        milestones.exclude(status=MilestoneStatus.WITHDRAWN)
        .exclude(pk__in=later.ids())
        .order_by()
        # Only work that was overdue on some point of the chart.
        .filter(due_date__lt=days[-1])
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_of_day(days[0] + datetime.timedelta(days=1))))
        .aggregate(**{f"d{index}": Count("pk", filter=overdue_on(day)) for index, day in enumerate(days)})
    )
    points = [counts[f"d{index}"] for index in range(len(days))]
    if later.ids():
        for row in milestones.filter(pk__in=later.ids()).values(*FACT_FIELDS):
            for index, day in enumerate(days):
                end_of_day = start_of_day(day + datetime.timedelta(days=1))
                if was_overdue(row, later.as_of(row, end_of_day=end_of_day), day=day, end_of_day=end_of_day):
                    points[index] += 1
    return list(zip(days, points, strict=True))


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
    """For each indicator: the city's total of the latest accepted values, and the city's target.

    "Latest" is per milestone and indicator: the value in the newest accepted report (by period)
    that carries it. An indicator's target is set per assigned enterprise (see the notice data
    file), so the city's target is that times the enterprises assigned its directive. A rate
    (unit "%") is averaged over milestones, not added up, and its target stays as set.
    """
    # The newest value per milestone and indicator is marked (``IndicatorValue.is_latest``, kept
    # by progress.services.indicators): a partial index holds exactly the rows to add up.
    tracked = milestones.exclude(status=MilestoneStatus.WITHDRAWN).order_by().values("pk")
    sums = {
        row["indicator_id"]: row
        for row in IndicatorValue.objects.filter(is_latest=True, milestone__in=tracked)
        .values("indicator_id")
        .annotate(total=Sum("value"), average=Avg("value"), rows=Count("pk"))
        .order_by()
    }
    indicators = list(Indicator.objects.filter(pk__in=sums).order_by("directive__position", "code"))
    assigned = dict(
        Assignment.objects.filter(directive_id__in={indicator.directive_id for indicator in indicators})
        .values("directive_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("directive_id", "n")
    )
    totals = []
    for indicator in indicators:
        row = sums[indicator.pk]
        is_rate = indicator.unit == "%"
        target = indicator.target
        if target is not None and not is_rate:
            target = target * assigned.get(indicator.directive_id, 0)
        totals.append(
            IndicatorTotal(
                indicator_id=indicator.pk,
                directive_id=indicator.directive_id,
                name=indicator.name,
                unit=indicator.unit,
                total=Decimal(row["average"] if is_rate else row["total"]).quantize(Decimal("0.01")),
                target=target,
                milestones=row["rows"],
            )
        )
    return totals


def latest_assessment_quarter() -> str | None:
    return AssessmentScore.objects.aggregate(latest=Max("quarter"))["latest"]


@dataclass(frozen=True)
class LeadersFigures:
    """Everything the leaders' summary shows: /charts/ draws it, /api/v1/summary/ returns it."""

    on: datetime.date
    breakdown: list[dict]
    completion: list[EnterpriseCompletion]
    by_category: dict[str, dict[str, int]]
    trend: list[tuple[datetime.date, int]]
    due_soon: list[dict]
    indicators: list[IndicatorTotal]
    quarter: str | None


def leaders_figures(milestones: QuerySet, *, on: datetime.date) -> LeadersFigures:
    """The figures over ``milestones`` (from ``progress.scoping``), one query or two per figure."""
    breakdown = health_breakdown(milestones, on=on)
    return LeadersFigures(
        on=on,
        breakdown=breakdown,
        completion=completion_by_enterprise(breakdown),
        by_category=health_by_category(breakdown),
        trend=overdue_trend(milestones, on=on),
        due_soon=due_soon_by_week(milestones, on=on),
        indicators=indicator_totals(milestones),
        quarter=latest_assessment_quarter(),
    )
