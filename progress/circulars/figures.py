"""What a circular (督办通报) says about a period, as plain JSON: figures, ranking, red list,
open instructions and orders, chart series.

Everything is read "as of" the period's last day (or today, for a period still running) and
from what SASAC accepted (supervision rule 3): a milestone's progress is its newest *accepted*
report up to that month, 100 once closed. Health follows ``progress.health`` with those facts:
red past due and not closed by that day, yellow due within the warning window, flagged at risk
or behind the straight line, green otherwise. Dates and withdrawals are those committed on that
day: an extension or a withdrawal SASAC approved later does not rewrite the period
(``progress.selectors.commitments``). Milestones withdrawn by then are not counted.

The result is stored on the circular when it is drafted and the documents are rendered from it
alone, so an issued circular regenerates exactly whatever changes later.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from directives.models import Category
from enterprises.names import person_name
from progress.health import CLOSED, GREEN, RED, YELLOW, HealthRules
from progress.instructions.services import subject_label
from progress.models import (
    Instruction,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    OrderStatus,
    ProgressReport,
    RequestKind,
    RequestState,
    ReviewState,
    SupervisionOrder,
)
from progress.selectors.charts import overdue_trend_on, start_of_day
from progress.selectors.commitments import FACT_FIELDS, LaterDecisions

RED_LIST_PER_ENTERPRISE = 3
TREND_MONTHS = 12
HEALTHS = (RED, YELLOW, GREEN, CLOSED)


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "week"
    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, first: datetime.date) -> "Period":
        first = first.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return cls("month", first, following - datetime.timedelta(days=1))

    @classmethod
    def week(cls, day: datetime.date) -> "Period":
        monday = day - datetime.timedelta(days=day.weekday())
        return cls("week", monday, monday + datetime.timedelta(days=6))

    @classmethod
    def of(cls, kind: str, start: datetime.date) -> "Period":
        return cls.week(start) if kind == "week" else cls.month(start)

    def previous(self) -> "Period":
        if self.kind == "week":
            return Period.week(self.start - datetime.timedelta(days=7))
        return Period.month(self.start - datetime.timedelta(days=1))

    def as_of(self, today: datetime.date) -> datetime.date:
        return min(self.end, today)

    def label(self) -> str:
        if self.kind == "week":
            return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"
        return f"{self.start:%Y-%m}"


def _milestone_facts(*, on: datetime.date) -> list[dict]:
    """Every tracked milestone that existed on ``on``, with its accepted facts as of that day.

    Two queries: the milestones with the id of their newest accepted report up to that month
    (one correlated look-up each, on the (milestone, period) index), then those reports' figures.
    """
    month = on.replace(day=1)
    end_of_day = start_of_day(on + datetime.timedelta(days=1))
    accepted = ProgressReport.objects.filter(
        milestone=OuterRef("pk"), period__lte=month, review_state=ReviewState.ACCEPTED
    ).order_by("-period")
    # Dates and withdrawals SASAC decided after that day do not rewrite it (progress.selectors.commitments).
    later = LaterDecisions.since(end_of_day)
    rows = list(
        Milestone.objects.filter(~Q(status=MilestoneStatus.WITHDRAWN) | Q(pk__in=later.ids()))
        .filter(created_at__lt=end_of_day)
        .annotate(report_as_of=Subquery(accepted.values("pk")[:1]))
        .values(
            *FACT_FIELDS,
            "title",
            "report_as_of",
            "assignment__enterprise_id",
            "assignment__enterprise__code",
            "assignment__enterprise__short_name",
            "assignment__directive__number",
            "assignment__directive__category",
        )
        .order_by()
    )
    figures = {
        pk: (progress, at_risk)
        for pk, progress, at_risk in ProgressReport.objects.filter(
            pk__in=[row["report_as_of"] for row in rows if row["report_as_of"]]
        ).values_list("pk", "progress", "at_risk")
    }
    tracked = []
    for row in rows:
        commitment = later.as_of(row, end_of_day=end_of_day)
        if not commitment.tracked:
            continue
        row["due_date"], row["start_date"] = commitment.due_date, commitment.start_date
        row["accepted_progress"], row["accepted_at_risk"] = figures.get(row["report_as_of"], (None, False))
        tracked.append(row)
    return tracked


def _health(row: dict, *, on: datetime.date, end_of_day: datetime.datetime, rules: HealthRules) -> tuple[str, int]:
    if row["closed_at"] is not None and row["closed_at"] < end_of_day:
        return CLOSED, 100
    progress = row["accepted_progress"] or 0
    if row["due_date"] < on:
        return RED, progress
    span = (row["due_date"] - row["start_date"]).days
    elapsed = (on - row["start_date"]).days
    behind = (progress + rules.trajectory_tolerance) * span < 100 * elapsed
    soon = row["due_date"] <= on + datetime.timedelta(days=rules.warning_days)
    return (YELLOW if soon or behind or row["accepted_at_risk"] else GREEN), progress


def _snapshot(period: Period, *, today: datetime.date, rules: HealthRules) -> dict:
    """Counts per enterprise and in all, and the red milestones, as of the period's end."""
    on = period.as_of(today)
    end_of_day = start_of_day(on + datetime.timedelta(days=1))
    start_of_period = start_of_day(period.start)
    enterprises: dict[int, dict] = {}
    categories: dict[str, dict] = defaultdict(lambda: dict.fromkeys(HEALTHS, 0))
    red_rows = []
    for row in _milestone_facts(on=on):
        health, progress = _health(row, on=on, end_of_day=end_of_day, rules=rules)
        figures = enterprises.setdefault(
            row["assignment__enterprise_id"],
            {
                "code": row["assignment__enterprise__code"],
                "name": row["assignment__enterprise__short_name"],
                "tracked": 0,
                "progress_sum": 0,
                "newly_closed": 0,
                "newly_overdue": 0,
                **dict.fromkeys(HEALTHS, 0),
            },
        )
        figures["tracked"] += 1
        figures[health] += 1
        figures["progress_sum"] += progress
        categories[row["assignment__directive__category"]][health] += 1
        if health == CLOSED and row["closed_at"] >= start_of_period:
            figures["newly_closed"] += 1
        if health == RED and row["due_date"] >= period.start - datetime.timedelta(days=1):
            figures["newly_overdue"] += 1
        if health == RED:
            red_rows.append((row, progress, (on - row["due_date"]).days))
    # Extensions SASAC granted in the period (issue 9's decided 延期申请), per enterprise.
    extensions = dict(
        MilestoneRequest.objects.filter(
            kind=RequestKind.EXTENSION,
            state=RequestState.APPROVED,
            decided_at__gte=start_of_period,
            decided_at__lt=end_of_day,
        )
        .values_list("milestone__assignment__enterprise_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for enterprise_id, figures in enterprises.items():
        figures["average_progress"] = round(figures.pop("progress_sum") / figures["tracked"], 1)
        figures["extensions_granted"] = extensions.get(enterprise_id, 0)
    totals = {
        key: sum(e[key] for e in enterprises.values())
        for key in ("tracked", "newly_closed", "newly_overdue", "extensions_granted", *HEALTHS)
    }
    totals["average_progress"] = (
        round(sum(e["average_progress"] * e["tracked"] for e in enterprises.values()) / totals["tracked"], 1)
        if totals["tracked"]
        else 0
    )
    return {"on": on, "enterprises": enterprises, "totals": totals, "categories": dict(categories), "red": red_rows}


def _red_list(red_rows: list, enterprises: dict) -> list[dict]:
    """Enterprises with overdue milestones, most first; each with its most overdue ones and what
    their newest accepted report states as problems and next steps."""
    by_enterprise: dict[int, list] = defaultdict(list)
    for row, progress, days in red_rows:
        by_enterprise[row["assignment__enterprise_id"]].append((row, progress, days))
    shown = {
        enterprise_id: sorted(rows, key=lambda r: (-r[2], r[0]["id"]))[:RED_LIST_PER_ENTERPRISE]
        for enterprise_id, rows in by_enterprise.items()
    }
    report_ids = [row["report_as_of"] for rows in shown.values() for row, _p, _d in rows if row["report_as_of"]]
    texts = {
        pk: (problems, next_steps)
        for pk, problems, next_steps in ProgressReport.objects.filter(pk__in=report_ids).values_list(
            "pk", "problems", "next_steps"
        )
    }
    entries = []
    for enterprise_id, rows in shown.items():
        entries.append(
            {
                "name": enterprises[enterprise_id]["name"],
                "code": enterprises[enterprise_id]["code"],
                "overdue": len(by_enterprise[enterprise_id]),
                "milestones": [
                    {
                        "id": row["id"],
                        "directive": row["assignment__directive__number"],
                        "title": row["title"],
                        "due_date": row["due_date"].isoformat(),
                        "days_overdue": days,
                        "progress": progress,
                        "problems": texts.get(row["report_as_of"], ("", ""))[0],
                        "next_steps": texts.get(row["report_as_of"], ("", ""))[1],
                    }
                    for row, progress, days in rows
                ],
            }
        )
    return sorted(entries, key=lambda e: (-e["overdue"], e["code"]))


def _ranking(current: dict, previous: dict) -> list[dict]:
    def ordered(snapshot):
        return sorted(snapshot["enterprises"].values(), key=lambda e: (-e["average_progress"], e[RED], e["code"]))

    before = {row["code"]: position for position, row in enumerate(ordered(previous), start=1)}
    return [
        {
            "rank": position,
            "previous_rank": before.get(row["code"]),
            **{key: row[key] for key in ("code", "name", "tracked", "average_progress", "newly_closed", *HEALTHS)},
        }
        for position, row in enumerate(ordered(current), start=1)
    ]


def _open_followups(on: datetime.date) -> dict:
    end_of_day = start_of_day(on + datetime.timedelta(days=1))
    not_closed = Q(closed_at__isnull=True) | Q(closed_at__gte=end_of_day)
    instructions = (
        Instruction.objects.filter(not_closed, created_at__lt=end_of_day)
        .select_related("author", "milestone__assignment__enterprise", "enterprise", "directive")
        .order_by("created_at", "id")
    )
    orders = (
        SupervisionOrder.objects.filter(not_closed, issued_at__lt=end_of_day)
        .select_related("enterprise")
        .order_by("year", "serial")
    )
    return {
        "instructions": [
            {
                "id": i.pk,
                "author": person_name(i.author),
                "date": timezone.localdate(i.created_at).isoformat(),
                "text": i.text,
                "subject": subject_label(i),
                "due_date": i.due_date.isoformat() if i.due_date else "",
                "overdue": bool(i.due_date and i.due_date < on),
            }
            for i in instructions
        ],
        "orders": [
            {
                "id": o.pk,
                "number": o.number,
                "enterprise": o.enterprise.short_name,
                "title": o.title,
                "answer_due": o.answer_due.isoformat(),
                "answered": o.status in (OrderStatus.ANSWERED, OrderStatus.CLOSED),
                "overdue": o.answer_due < on and o.status not in (OrderStatus.ANSWERED, OrderStatus.CLOSED),
            }
            for o in orders
        ],
    }


def _month_ends(on: datetime.date, months: int) -> list[datetime.date]:
    ends, day = [on], on.replace(day=1)
    while len(ends) < months:
        day = day - datetime.timedelta(days=1)
        ends.append(day)
        day = day.replace(day=1)
    return list(reversed(ends))


def _overdue_trend(on: datetime.date) -> list[tuple[str, int]]:
    """Overdue milestones at each month end for a year up to ``on`` (one counting query)."""
    days = _month_ends(on, TREND_MONTHS)
    return [(day.isoformat(), count) for day, count in overdue_trend_on(Milestone.objects.all(), days=days)]


def circular_data(period: Period, *, today: datetime.date | None = None) -> dict:
    """Every figure and line of the circular for ``period``, JSON-ready."""
    today = today or timezone.localdate()
    rules = HealthRules.from_settings()
    current = _snapshot(period, today=today, rules=rules)
    previous_period = period.previous()
    previous = _snapshot(previous_period, today=today, rules=rules)
    totals, before = current["totals"], previous["totals"]
    category_labels = dict(Category.choices)
    return {
        "kind": period.kind,
        "period": period.label(),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": current["on"].isoformat(),
        "previous": {"period": previous_period.label(), "as_of": previous["on"].isoformat(), "totals": before},
        "totals": totals,
        "changes": {key: totals[key] - before[key] for key in (RED, CLOSED, "tracked")}
        | {"average_progress": round(totals["average_progress"] - before["average_progress"], 1)},
        "ranking": _ranking(current, previous),
        "red_list": _red_list(current["red"], current["enterprises"]),
        "followups": _open_followups(current["on"]),
        "charts": {
            "categories": [
                {"label": str(category_labels.get(key, key)), **counts}
                for key, counts in sorted(
                    current["categories"].items(),
                    key=lambda item: list(category_labels).index(item[0]) if item[0] in category_labels else 99,
                )
            ],
            "overdue_trend": _overdue_trend(current["on"]),
        },
    }
