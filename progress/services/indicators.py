"""Keeps ``IndicatorValue.milestone`` and ``IndicatorValue.is_latest`` true, so the leaders'
indicator totals (``progress.selectors.charts.indicator_totals``) read one partial index
instead of ranking every value of the ledger (139,000 at city scale: 0.9 s).

"Latest" is per milestone and indicator: the value in the newest accepted report (by period)
that carries the indicator; a report waiting for review adds nothing to leaders' totals. The
ledger services (a report filed, edited or accepted) and the admin refresh the milestone whose
values or reports they changed, inside their transaction; bulk loads call
``refresh_latest_indicator_values()`` for all.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from progress.ledger_cache import ledger_changed
from progress.models import IndicatorValue, ProgressReport, ReviewState

CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_latest_indicator_values(*, milestone_ids: Iterable[int] | None = None) -> None:
    """Set ``milestone`` from the report and recompute ``is_latest`` for these milestones (None: all).

    Call inside the transaction that wrote the values or reports.
    """
    with transaction.atomic():
        values = IndicatorValue.objects.all()
        if milestone_ids is not None:
            milestone_ids = list(milestone_ids)
            values = values.filter(report__milestone_id__in=milestone_ids)
        if milestone_ids is not None and not values.exists():
            return  # most milestones carry no indicator: one cheap query instead of four
        report_milestone = ProgressReport.objects.filter(pk=OuterRef("report_id")).values("milestone_id")
        # Missing on a new value; different on one IT moved to another milestone's report.
        values.exclude(milestone=F("report__milestone")).update(milestone_id=Subquery(report_milestone))
        newest = (
            values.filter(report__review_state=ReviewState.ACCEPTED)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("milestone_id"), F("indicator_id")],
                    order_by=[F("report__period").desc(), F("pk").desc()],
                )
            )
            .filter(rank=1)
            .values_list("pk", flat=True)
        )
        latest = set(newest)
        stale = set(values.filter(is_latest=True).values_list("pk", flat=True)) - latest
        for chunk in _chunks(sorted(stale)):
            IndicatorValue.objects.filter(pk__in=chunk).update(is_latest=False)
        for chunk in _chunks(sorted(latest)):
            IndicatorValue.objects.filter(pk__in=chunk, is_latest=False).update(is_latest=True)
        # The leaders' indicator totals read ``is_latest``.
        ledger_changed()
