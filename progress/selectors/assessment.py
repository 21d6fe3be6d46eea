"""Reads for the assessment ranking: stored rates, scored under the weights in force."""

from dataclasses import dataclass
from decimal import Decimal

from enterprises.models import Enterprise
from progress.models import AssessmentScore, AssessmentWeights

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RankedScore:
    rank: int
    enterprise: Enterprise
    quarter: str
    on_time_closure_rate: Decimal
    report_timeliness_rate: Decimal
    overdue_free_rate: Decimal
    closure_points: Decimal
    timeliness_points: Decimal
    overdue_points: Decimal
    score: Decimal
    computed_at: object


def ranking(*, quarter: str, weights: AssessmentWeights) -> list[RankedScore]:
    """The quarter's scores, best first, each split into the points its three rates earned (one query).

    Equal scores share a rank (1, 2, 2, 4).
    """
    total = weights.on_time_closure + weights.report_timeliness + weights.overdue_work or Decimal(1)
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
            "score",
            "computed_at",
        )
        .order_by("-score", "enterprise__code")
    )
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        if row.score != previous:
            rank, previous = position, row.score
        ranked.append(
            RankedScore(
                rank=rank,
                enterprise=row.enterprise,
                quarter=row.quarter,
                on_time_closure_rate=row.on_time_closure_rate,
                report_timeliness_rate=row.report_timeliness_rate,
                overdue_free_rate=row.overdue_free_rate,
                closure_points=(row.on_time_closure_rate * weights.on_time_closure / total).quantize(CENT),
                timeliness_points=(row.report_timeliness_rate * weights.report_timeliness / total).quantize(CENT),
                overdue_points=(row.overdue_free_rate * weights.overdue_work / total).quantize(CENT),
                score=row.score,
                computed_at=row.computed_at,
            )
        )
    return ranked


def stored_quarters() -> list[str]:
    return list(AssessmentScore.objects.order_by("-quarter").values_list("quarter", flat=True).distinct())
