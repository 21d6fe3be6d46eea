"""Period over period for leaders (/charts/): this month against the last one and a chosen earlier
one, and each enterprise's trend over a year of month ends.

Everything is read "as of" each month's last day from the milestones' own dates (due, created,
closed), the way ``progress.selectors.charts.overdue_trend`` reads the past: overdue on D means
due before D and not closed by the end of D, by the commitment of D (an extension granted later
does not rewrite the past: ``progress.selectors.commitments``). One grouped query counts every
figure for every enterprise, whatever the number of milestones; the few milestones with a later
decision are counted in Python.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from progress.models import MilestoneStatus
from progress.selectors.charts import start_of_day
from progress.selectors.commitments import FACT_FIELDS, LaterDecisions, was_overdue

TREND_MONTHS = 12


def month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Figures:
    tracked: int
    closed: int
    overdue: int
    newly_closed: int

    @property
    def closure_rate(self) -> float:
        return round(100 * self.closed / self.tracked, 1) if self.tracked else 0.0


@dataclass
class EnterpriseTrend:
    enterprise_id: int
    name: str
    periods: list[Figures]  # this period, the last one, the chosen one
    overdue_trend: list[int] = field(default_factory=list)  # a year of month ends, oldest first

    @property
    def change(self) -> int:
        return self.periods[0].overdue - self.periods[1].overdue


def _conditions(day: datetime.date, month_start: datetime.date) -> dict[str, Q]:
    end = start_of_day(day + datetime.timedelta(days=1))
    existed = Q(created_at__lt=end)
    closed = Q(closed_at__lt=end)
    return {
        "tracked": existed,
        "closed": existed & closed,
        "overdue": existed & Q(due_date__lt=day) & ~closed,
        "newly_closed": existed & closed & Q(closed_at__gte=start_of_day(month_start)),
    }


def _counted_on(fact: dict, later: LaterDecisions, *, day: datetime.date, month_start: datetime.date) -> dict:
    """``_conditions`` in Python for one milestone, by its commitment of ``day``: 1 where it counts."""
    end = start_of_day(day + datetime.timedelta(days=1))
    commitment = later.as_of(fact, end_of_day=end)
    existed = commitment.tracked and fact["created_at"] < end
    closed = existed and fact["closed_at"] is not None and fact["closed_at"] < end
    return {
        "tracked": int(existed),
        "closed": int(closed),
        "overdue": int(was_overdue(fact, commitment, day=day, end_of_day=end)),
        "newly_closed": int(closed and fact["closed_at"] >= start_of_day(month_start)),
    }


def period_comparison(
    milestones: QuerySet, *, on: datetime.date, compare: datetime.date
) -> tuple[list[datetime.date], list[EnterpriseTrend], list[Figures], list[datetime.date]]:
    """(the three months, one row per enterprise, the city's totals per month, the trend's month ends).

    The current month is read as of ``on``; the others as of their last day.
    """
    this_month = on.replace(day=1)
    months = [this_month, previous_month(this_month), compare.replace(day=1)]
    days = [on, month_end(months[1]), month_end(months[2])]
    trend_days, month = [], this_month
    for _i in range(TREND_MONTHS):
        trend_days.append(min(month_end(month), on))
        month = previous_month(month)
    trend_days.reverse()
    counts = {}
    for index, (day, start) in enumerate(zip(days, months, strict=True)):
        for name, condition in _conditions(day, start).items():
            counts[f"p{index}_{name}"] = Count("pk", filter=condition)
    for index, day in enumerate(trend_days):
        counts[f"t{index}"] = Count("pk", filter=_conditions(day, day.replace(day=1))["overdue"])
    # Milestones with a due date or withdrawal SASAC decided after the earliest day are placed by
    # the commitment of each day (progress.selectors.commitments), the rest by their columns.
    later = LaterDecisions.since(start_of_day(min(days + trend_days) + datetime.timedelta(days=1)), milestones)
    rows = (
        milestones.exclude(status=MilestoneStatus.WITHDRAWN)
        .exclude(pk__in=later.ids())
        .order_by()
        .values("assignment__enterprise_id", "assignment__enterprise__short_name")
        .annotate(**counts)
    )
    by_enterprise = {row["assignment__enterprise_id"]: row for row in rows}
    if later.ids():
        for fact in milestones.filter(pk__in=later.ids()).values(
            *FACT_FIELDS, "assignment__enterprise_id", "assignment__enterprise__short_name"
        ):
            row = by_enterprise.setdefault(
                fact["assignment__enterprise_id"],
                {
                    "assignment__enterprise_id": fact["assignment__enterprise_id"],
                    "assignment__enterprise__short_name": fact["assignment__enterprise__short_name"],
                    **dict.fromkeys(counts, 0),
                },
            )
            for index, (day, start) in enumerate(zip(days, months, strict=True)):
                for name, counted in _counted_on(fact, later, day=day, month_start=start).items():
                    row[f"p{index}_{name}"] += counted
            for index, day in enumerate(trend_days):
                row[f"t{index}"] += _counted_on(fact, later, day=day, month_start=day.replace(day=1))["overdue"]
    trends = [
        EnterpriseTrend(
            enterprise_id=row["assignment__enterprise_id"],
            name=row["assignment__enterprise__short_name"],
            periods=[
                Figures(**{name: row[f"p{index}_{name}"] for name in ("tracked", "closed", "overdue", "newly_closed")})
                for index in range(3)
            ],
            overdue_trend=[row[f"t{index}"] for index in range(len(trend_days))],
        )
        for row in by_enterprise.values()
    ]
    trends.sort(key=lambda t: (-t.periods[0].overdue, -t.change, t.name))
    totals = [
        Figures(
            **{
                name: sum(getattr(t.periods[index], name) for t in trends)
                for name in ("tracked", "closed", "overdue", "newly_closed")
            }
        )
        for index in range(3)
    ]
    return months, trends, totals, trend_days


def sparkline(values: list[int], *, width: int = 120, height: int = 24) -> str:
    """SVG polyline points for a small trend line (highest value at the top)."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - 2 - (height - 4) * v / top, 1)}" for i, v in enumerate(values)
    )
