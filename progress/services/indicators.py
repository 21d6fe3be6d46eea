"""Keeps ``IndicatorValue.milestone`` and ``IndicatorValue.is_latest`` true, so the leaders'
indicator totals (``progress.selectors.charts.indicator_totals``) read one partial index
instead of ranking every value of the ledger (139,000 at city scale: 0.9 s).

"Latest" is per milestone and indicator: the value in the newest report (by period) that
carries the indicator. Every save or delete of a value, and every save of a report, refreshes
its milestone (``progress.apps`` connects the signals, so the services, the admin, imports and
tests' factories all keep it); bulk loads call ``refresh_latest_indicator_values()`` for all.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from progress.models import IndicatorValue, ProgressReport

CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_latest_indicator_values(*, milestone_ids: Iterable[int] | None = None) -> None:
    """Set ``milestone`` where missing and recompute ``is_latest`` for these milestones (None: all)."""
    with transaction.atomic():
        values = IndicatorValue.objects.all()
        if milestone_ids is not None:
            milestone_ids = list(milestone_ids)
            values = values.filter(report__milestone_id__in=milestone_ids)
        report_milestone = ProgressReport.objects.filter(pk=OuterRef("report_id")).values("milestone_id")
        values.filter(milestone__isnull=True).update(milestone_id=Subquery(report_milestone))
        newest = (
            values.annotate(
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


def _value_saving(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        instance.milestone_id = instance.report.milestone_id


def _value_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.milestone_id is not None:
        refresh_latest_indicator_values(milestone_ids=[instance.milestone_id])


def _report_saved(sender, instance, raw=False, created=False, **kwargs) -> None:
    # A new report carries no values yet (they are saved after it); an edited one may have a new period.
    if not raw and not created:
        refresh_latest_indicator_values(milestone_ids=[instance.milestone_id])


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_value_saving, sender=IndicatorValue, dispatch_uid="indicator_value_milestone")
    post_save.connect(_value_changed, sender=IndicatorValue, dispatch_uid="indicator_value_latest_saved")
    post_delete.connect(_value_changed, sender=IndicatorValue, dispatch_uid="indicator_value_latest_deleted")
    post_save.connect(_report_saved, sender=ProgressReport, dispatch_uid="indicator_value_latest_report")
