"""Quarterly assessment (考核): a score per enterprise from on-time closure, report timeliness
and overdue work, weighted by what SASAC staff set.

The three rates, each 0-100 and 100 when there was nothing to measure:

on-time closure   of the milestones that fell due in the quarter (up to the day of computing),
                  the share closed (销号) on or before their due date
report timeliness of the ledger reports owed for the quarter's complete months (one per month for
                  every milestone started by the month's end and not closed before it began),
                  the share filed and not late
overdue-free      of the milestones in play in the quarter (started by its end, not closed before
                  it began), the share not overdue at its end

score = (w1 * closure + w2 * timeliness + w3 * overdue-free) / (w1 + w2 + w3)

computed as the sum of the three weighted points, each rounded to the cent (``weighted_points``),
so the ranking's breakdown adds up to the score it shows.

Withdrawn milestones never count. Everything is SQL aggregates grouped by enterprise: two
queries whatever the size, and one upsert.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q

from progress.models import AssessmentScore, AssessmentWeights, Milestone, MilestoneStatus, ProgressReport
from progress.selectors.charts import start_of_day

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def quarter_bounds(quarter: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of "2026Q3"; ValueError for anything else."""
    match = QUARTER_RE.match(quarter)
    if not match:
        raise ValueError(quarter)
    year, number = int(match[1]), int(match[2])
    first = datetime.date(year, 3 * number - 2, 1)
    last = datetime.date(year + (number == 4), (3 * number) % 12 + 1, 1) - datetime.timedelta(days=1)
    return first, last


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def _month_end(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1) - datetime.timedelta(days=1)


def rate(part: int, whole: int) -> Decimal:
    """A share in percent, two decimals; 100 when there was nothing to measure."""
    if whole <= 0:
        return HUNDRED
    return (Decimal(min(part, whole)) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def weighted_points(
    *, weights: AssessmentWeights, closure: Decimal, timeliness: Decimal, overdue_free: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """The points each rate earns under ``weights``, rounded to the cent (all 0 when the weights are)."""
    total = weights.on_time_closure + weights.report_timeliness + weights.overdue_work
    if total <= 0:
        return Decimal(0), Decimal(0), Decimal(0)
    return tuple(
        (weight * value / total).quantize(CENT, ROUND_HALF_UP)
        for weight, value in (
            (weights.on_time_closure, closure),
            (weights.report_timeliness, timeliness),
            (weights.overdue_work, overdue_free),
        )
    )


def weighted_score(
    *, weights: AssessmentWeights, closure: Decimal, timeliness: Decimal, overdue_free: Decimal
) -> Decimal:
    """The score: the sum of ``weighted_points``, so the parts shown always add up to it."""
    return sum(
        weighted_points(weights=weights, closure=closure, timeliness=timeliness, overdue_free=overdue_free),
        Decimal(0),
    )


def current_weights() -> AssessmentWeights:
    """The weights in force: the saved row, or the defaults (50 / 30 / 20) before anyone saved."""
    return AssessmentWeights.objects.order_by("pk").first() or AssessmentWeights()


def assessment_compute(*, quarter: str, on: datetime.date) -> list[AssessmentScore]:
    """Compute and store every enterprise's score for ``quarter`` as of ``on``.

    ``on`` caps a running quarter: only what fell due by then counts. Replaces the
    quarter's earlier scores.
    """
    first, last = quarter_bounds(quarter)
    as_of = min(last, on)
    if as_of < first:
        raise ValueError(f"{quarter} has not begun on {on}")
    months = [m for m in _month_starts(first, last) if _month_end(m) <= as_of]
    after_as_of = start_of_day(as_of + datetime.timedelta(days=1))
    quarter_begins = start_of_day(first)

    tracked = Milestone.objects.exclude(status=MilestoneStatus.WITHDRAWN)
    in_play = Q(start_date__lte=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=quarter_begins))
    fell_due = Q(due_date__gte=first, due_date__lte=as_of)
    owed_in = {
        f"owed{index}": Count(
            "pk",
            filter=Q(start_date__lte=_month_end(month))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=start_of_day(month))),
        )
        for index, month in enumerate(months)
    }
    per_enterprise = {
        row["assignment__enterprise_id"]: row
        for row in tracked.values("assignment__enterprise_id")
        .annotate(
            due=Count("pk", filter=fell_due),
            closed_on_time=Count(
                "pk", filter=fell_due & Q(status=MilestoneStatus.CLOSED, closed_at__date__lte=F("due_date"))
            ),
            in_play=Count("pk", filter=in_play),
            overdue=Count(
                "pk",
                filter=in_play & Q(due_date__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=after_as_of)),
            ),
            **owed_in,
        )
        .order_by()
    }
    on_time_reports = (
        {
            row["milestone__assignment__enterprise_id"]: row["on_time"]
            for row in ProgressReport.objects.filter(milestone__in=tracked, period__in=months, is_late=False)
            .values("milestone__assignment__enterprise_id")
            .annotate(on_time=Count("pk"))
            .order_by()
        }
        if months
        else {}
    )

    weights = current_weights()
    scores = []
    for enterprise_id, row in per_enterprise.items():
        closure = rate(row["closed_on_time"], row["due"])
        owed = sum(row[f"owed{index}"] for index in range(len(months)))
        timeliness = rate(on_time_reports.get(enterprise_id, 0), owed)
        overdue_free = rate(row["in_play"] - row["overdue"], row["in_play"])
        scores.append(
            AssessmentScore(
                enterprise_id=enterprise_id,
                quarter=quarter,
                on_time_closure_rate=closure,
                report_timeliness_rate=timeliness,
                overdue_free_rate=overdue_free,
                score=weighted_score(
                    weights=weights, closure=closure, timeliness=timeliness, overdue_free=overdue_free
                ),
            )
        )
    with transaction.atomic():
        AssessmentScore.objects.filter(quarter=quarter).delete()
        AssessmentScore.objects.bulk_create(scores)
    return scores


def assessment_weights_update(
    *, on_time_closure: Decimal, report_timeliness: Decimal, overdue_work: Decimal, by
) -> AssessmentWeights:
    """Save the weights and rescore every stored quarter with them, in one transaction.

    The stored rates do not change, so a score is always its rates under the weights in force:
    the ranking table can show how each score was made up.
    """
    with transaction.atomic():
        weights = AssessmentWeights.objects.select_for_update().order_by("pk").first() or AssessmentWeights()
        weights.on_time_closure = on_time_closure
        weights.report_timeliness = report_timeliness
        weights.overdue_work = overdue_work
        weights.updated_by = by
        weights.save()
        # A few hundred rows (enterprises x quarters): rescored in Python by the one formula.
        scores = list(AssessmentScore.objects.all())
        for score in scores:
            score.score = weighted_score(
                weights=weights,
                closure=score.on_time_closure_rate,
                timeliness=score.report_timeliness_rate,
                overdue_free=score.overdue_free_rate,
            )
        AssessmentScore.objects.bulk_update(scores, ["score"], batch_size=500)
    return weights
