"""Quarterly assessment (考核): a score per enterprise from on-time closure, report timeliness,
overdue work and extensions, weighted by what SASAC staff set.

The four rates, each 0-100 and 100 when there was nothing to measure:

on-time closure   of the milestones that fell due in the quarter (up to the day of computing),
                  the share closed (销号) on or before their due date
report timeliness of the ledger reports owed for the quarter's complete months (one per month for
                  every milestone started by the month's end and not closed before it began),
                  the share filed on time and accepted by SASAC (a report still waiting for
                  review, or returned, earns nothing yet: leaders see what SASAC accepted)
overdue-free      of the milestones in play in the quarter (started by its end, not closed before
                  it began), the share not overdue at its end
extension-free    of the milestones in play in the quarter, the share with no extension (延期)
                  granted by its end

score = (w1 * closure + w2 * timeliness + w3 * overdue-free + w4 * extension-free) / (w1 + w2 + w3 + w4)

computed as the sum of the four weighted points, each rounded to the cent (``weighted_points``),
so the ranking's breakdown adds up to the score it shows. The extension weight is 0 until SASAC
sets one, so extensions weigh in only by SASAC's choice.

Withdrawn milestones never count. Everything is SQL aggregates grouped by enterprise: two
queries whatever the size, and one upsert.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from progress.ledger_cache import ledger_changed
from progress.models import (
    AssessmentScore,
    AssessmentWeights,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    ProgressReport,
    RequestKind,
    RequestState,
    ReviewState,
)
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


# (weight field on AssessmentWeights, rate field on AssessmentScore), in the order points are shown.
PARTS = (
    ("on_time_closure", "on_time_closure_rate"),
    ("report_timeliness", "report_timeliness_rate"),
    ("overdue_work", "overdue_free_rate"),
    ("extensions", "extension_free_rate"),
)


def weighted_points(*, weights: AssessmentWeights, rates: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """The points each rate (in ``PARTS`` order) earns under ``weights``, rounded to the cent
    (all 0 when the weights are)."""
    parts = [getattr(weights, weight) for weight, _rate in PARTS]
    total = sum(parts, Decimal(0))
    if total <= 0:
        return tuple(Decimal(0) for _part in PARTS)
    return tuple(
        (weight * value / total).quantize(CENT, ROUND_HALF_UP) for weight, value in zip(parts, rates, strict=True)
    )


def weighted_score(*, weights: AssessmentWeights, rates: tuple[Decimal, ...]) -> Decimal:
    """The score: the sum of ``weighted_points``, so the parts shown always add up to it."""
    return sum(weighted_points(weights=weights, rates=rates), Decimal(0))


def rates_of(score: AssessmentScore) -> tuple[Decimal, ...]:
    return tuple(getattr(score, rate) for _weight, rate in PARTS)


def current_weights() -> AssessmentWeights:
    """The weights in force: the saved row, or the defaults (50 / 30 / 20 / 0) before anyone saved."""
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

    granted = MilestoneRequest.objects.filter(
        milestone=OuterRef("pk"),
        kind=RequestKind.EXTENSION,
        state=RequestState.APPROVED,
        decided_at__lt=after_as_of,
    )
    tracked = Milestone.objects.exclude(status=MilestoneStatus.WITHDRAWN).alias(has_extension=Exists(granted))
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
            extended=Count("pk", filter=in_play & Q(has_extension=True)),
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
            for row in ProgressReport.objects.filter(
                milestone__in=tracked, period__in=months, is_late=False, review_state=ReviewState.ACCEPTED
            )
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
        extension_free = rate(row["in_play"] - row["extended"], row["in_play"])
        score = AssessmentScore(
            enterprise_id=enterprise_id,
            quarter=quarter,
            on_time_closure_rate=closure,
            report_timeliness_rate=timeliness,
            overdue_free_rate=overdue_free,
            extension_free_rate=extension_free,
        )
        score.score = weighted_score(weights=weights, rates=rates_of(score))
        scores.append(score)
    with transaction.atomic():
        AssessmentScore.objects.filter(quarter=quarter).delete()
        AssessmentScore.objects.bulk_create(scores)
        ledger_changed()
    return scores


def assessment_weights_update(
    *,
    on_time_closure: Decimal,
    report_timeliness: Decimal,
    overdue_work: Decimal,
    extensions: Decimal,
    by,
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
        weights.extensions = extensions
        weights.updated_by = by
        weights.save()
        # A few hundred rows (enterprises x quarters): rescored in Python by the one formula.
        scores = list(AssessmentScore.objects.all())
        for score in scores:
            score.score = weighted_score(weights=weights, rates=rates_of(score))
        AssessmentScore.objects.bulk_update(scores, ["score"], batch_size=500)
        ledger_changed()
    return weights
