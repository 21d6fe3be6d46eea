"""Period over period for leaders (/charts/): this month against the last one and a chosen earlier
one, and each enterprise's trend over a year of month ends.

Everything is read "as of" each month's last day from the milestones' own dates (due, created,
closed), the way ``progress.selectors.charts.overdue_trend`` reads the past: overdue on D means
due before D and not closed by the end of D. One grouped query counts every figure for every
enterprise, whatever the number of milestones.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from progress.models import MilestoneStatus
from progress.selectors.charts import start_of_day

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
    rows = (
        milestones.exclude(status=MilestoneStatus.WITHDRAWN)
        .order_by()
        .values("assignment__enterprise_id", "assignment__enterprise__short_name")
        .annotate(**counts)
    )
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
        for row in rows
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
