"""Reads for the assessment ranking: stored rates, scored under the weights in force."""

from dataclasses import dataclass
from decimal import Decimal

from enterprises.models import Enterprise
from progress.models import AssessmentScore, AssessmentWeights
from progress.services.assessment import rates_of, weighted_points


@dataclass(frozen=True)
class RankedScore:
    rank: int
    enterprise: Enterprise
    quarter: str
    on_time_closure_rate: Decimal
    report_timeliness_rate: Decimal
    overdue_free_rate: Decimal
    extension_free_rate: Decimal
    closure_points: Decimal
    timeliness_points: Decimal
    overdue_points: Decimal
    extension_points: Decimal
    score: Decimal
    computed_at: object


def ranking(*, quarter: str, weights: AssessmentWeights) -> list[RankedScore]:
    """The quarter's scores, best first, each split into the points its four rates earned (one query).

    Equal scores share a rank (1, 2, 2, 4). The points come from ``weighted_points``, the same
    rounding the stored score was summed from, so they add up to it.
    """
    rows = (
        AssessmentScore.objects.filter(quarter=quarter)
        .select_related("enterprise")
        .only(
            "enterprise__code",
            "enterprise__short_name",
            "quarter",
            "on_time_closure_rate",
            "report_timeliness_rate",
            "overdue_free_rate",
            "extension_free_rate",
            "score",
            "computed_at",
        )
        .order_by("-score", "enterprise__code")
    )
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        if row.score != previous:
            rank, previous = position, row.score
        closure, timeliness, overdue, extension = weighted_points(weights=weights, rates=rates_of(row))
        ranked.append(
            RankedScore(
                rank=rank,
                enterprise=row.enterprise,
                quarter=row.quarter,
                on_time_closure_rate=row.on_time_closure_rate,
                report_timeliness_rate=row.report_timeliness_rate,
                overdue_free_rate=row.overdue_free_rate,
                extension_free_rate=row.extension_free_rate,
                closure_points=closure,
                timeliness_points=timeliness,
                overdue_points=overdue,
                extension_points=extension,
                score=row.score,
                computed_at=row.computed_at,
            )
        )
    return ranked


def stored_quarters() -> list[str]:
    return list(AssessmentScore.objects.order_by("-quarter").values_list("quarter", flat=True).distinct())
