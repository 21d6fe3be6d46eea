"""Trajectory (序时进度) and forecast: will a milestone make its due date at its recent pace?

expected   where progress should stand today, on a straight line from start to due date
           (``progress.health.expected_progress``)
velocity   progress gained per day over the last ``VELOCITY_REPORTS`` intervals of accepted reports:
           from the accepted report that many rows before the latest one (or, with fewer, from
           the start date at 0 %) to the latest accepted report. A report is dated by the day it
           was submitted. A report waiting for review plays no part: leaders see what SASAC accepted.
forecast   the latest report's date + remaining progress / velocity; never a day already past
           (``missed_finish`` then: the page says the pace pointed there and nothing came since);
           none when progress gained nothing (*stalled*, said with the day it stalled)
at risk    an open (or closure-requested) milestone whose latest accepted report is below 100 % and whose
           forecast falls after the due date, or whose progress stalled. Milestones with no report,
           or whose two points share a day, are not judged: there is no pace to extrapolate.

As with health, the rule exists twice on purpose, in one module: ``forecast_of`` for one
milestone in Python, ``annotate_forecast`` + ``AT_RISK`` in SQL so the board can filter on it.
The SQL compares without division: (100 - p) * days_between > days_left * progress_gained.
Tests hold the two to the same answers.
"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from progress.health import DaysBetween, expected_progress, today
from progress.models import ProgressReport, ReviewState

# Three intervals of monthly reports: about a quarter, "recent" enough to show a slowdown.
VELOCITY_REPORTS = 3
ACTIVE_STATUSES = ("open", "closure_requested")


@dataclass(frozen=True)
class Forecast:
    expected: int
    reported: int | None
    finish: datetime.date | None
    at_risk: bool
    # Below 100 %, nothing gained over the recent accepted reports.
    stalled: bool = False
    # The day the recent pace pointed at, already past with the work not done: shown as such,
    # never as a forecast.
    missed_finish: datetime.date | None = None
    # The day of the latest accepted report the forecast stands on.
    reported_on: datetime.date | None = None
    # The pace verdict whatever the status (what ``Milestone.forecast_at_risk`` stores).
    pace_at_risk: bool = False


def is_at_risk(*, progress: int, gained: int, days_between: int, days_left: int) -> bool:
    """The at-risk rule on plain numbers; ``annotate_forecast`` states the same in SQL."""
    if progress >= 100 or days_between <= 0:
        return False
    return (100 - progress) * days_between > days_left * gained


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def forecast_of(milestone, *, on: datetime.date | None = None) -> Forecast:
    """The forecast for one milestone (one query for its recent accepted reports)."""
    on = on or today()
    expected = expected_progress(start=milestone.start_date, due=milestone.due_date, on=on)
    recent = list(
        ProgressReport.objects.filter(milestone=milestone, review_state=ReviewState.ACCEPTED)
        .order_by("-period")
        .only("progress", "submitted_at", "period")[: VELOCITY_REPORTS + 1]
    )
    if not recent:
        return Forecast(expected=expected, reported=None, finish=None, at_risk=False)
    latest = recent[0]
    latest_day = _local_date(latest.submitted_at)
    if len(recent) > VELOCITY_REPORTS:
        base_day, base_progress = _local_date(recent[-1].submitted_at), recent[-1].progress
    else:
        base_day, base_progress = milestone.start_date, 0
    days_between = (latest_day - base_day).days
    gained = latest.progress - base_progress
    finish = missed_finish = None
    stalled = False
    if latest.progress >= 100:
        finish = latest_day
    elif days_between > 0 and gained <= 0:
        stalled = True
    elif days_between > 0:
        finish = latest_day + datetime.timedelta(days=math.ceil((100 - latest.progress) * days_between / gained))
        # A pace that should have finished by now, and did not, says nothing about the future.
        if finish < on:
            finish, missed_finish = None, finish
    pace_at_risk = is_at_risk(
        progress=latest.progress,
        gained=gained,
        days_between=days_between,
        days_left=(milestone.due_date - latest_day).days,
    )
    at_risk = milestone.status in ACTIVE_STATUSES and pace_at_risk
    return Forecast(
        expected=expected,
        reported=latest.progress,
        finish=finish,
        at_risk=at_risk,
        pace_at_risk=pace_at_risk,
        stalled=stalled,
        missed_finish=missed_finish,
        reported_on=latest_day,
    )


def store_forecast_at_risk(milestone) -> None:
    """Store one milestone's pace verdict (``forecast_of``) in ``Milestone.forecast_at_risk``.

    Called by the ledger services wherever the verdict's inputs change (a report accepted,
    the milestone's dates changed) and by the admin; call inside the writer's
    transaction. Bulk writes (the demo's load) call ``refresh_forecast_at_risk`` instead.
    """
    verdict = forecast_of(milestone).pace_at_risk
    type(milestone).objects.filter(pk=milestone.pk).exclude(forecast_at_risk=verdict).update(forecast_at_risk=verdict)


def _risk_margin(*, base_day, base_progress, latest_day, latest_progress, due_day):
    """(100 - p) * days_between - days_left * gained when days_between > 0, else 0 (no pace: not judged)."""
    days_between = DaysBetween(latest_day, base_day)
    margin = (100 - latest_progress) * days_between - DaysBetween(due_day, latest_day) * (
        latest_progress - base_progress
    )
    return Case(When(GreaterThan(days_between, 0), then=margin), default=Value(0), output_field=IntegerField())


def _outer(name: str, field) -> ExpressionWrapper:
    return ExpressionWrapper(OuterRef(name), output_field=field)


def annotate_forecast(queryset: QuerySet) -> QuerySet:
    """Add ``forecast_risk_margin`` to milestones: > 0 means at risk (filter with ``AT_RISK``).

    One correlated subquery per row, on (milestone, period): the accepted report
    ``VELOCITY_REPORTS`` rows before the latest accepted one, which computes the whole margin
    against the outer row; with fewer reports the start date at 0 % is the base. Filter on it only where asked for:
    PostgreSQL checks the cheap conditions of ``AT_RISK`` first.
    """
    base_margin = (
        ProgressReport.objects.filter(milestone=OuterRef("pk"), review_state=ReviewState.ACCEPTED)
        .order_by("-period")
        .annotate(
            margin=_risk_margin(
                base_day=TruncDate("submitted_at"),
                base_progress=F("progress"),
                latest_day=TruncDate(_outer("accepted_report__submitted_at", DateTimeField())),
                latest_progress=_outer("accepted_report__progress", IntegerField()),
                due_day=_outer("due_date", DateField()),
            )
        )
        .values("margin")[VELOCITY_REPORTS : VELOCITY_REPORTS + 1]
    )
    from_start = _risk_margin(
        base_day=F("start_date"),
        base_progress=Value(0),
        latest_day=TruncDate("accepted_report__submitted_at"),
        latest_progress=F("accepted_report__progress"),
        due_day=F("due_date"),
    )
    return queryset.annotate(
        forecast_risk_margin=Coalesce(Subquery(base_margin, output_field=IntegerField()), from_start)
    )


# The pace verdict alone (on ``annotate_forecast`` rows); AT_RISK adds the live status.
PACE_AT_RISK = (
    Q(accepted_report__isnull=False) & Q(accepted_report__progress__lt=100) & Q(forecast_risk_margin__gt=0)
)
AT_RISK = Q(status__in=ACTIVE_STATUSES) & PACE_AT_RISK
# The same rule read from ``Milestone.forecast_at_risk`` (kept by ``refresh_forecast_at_risk``):
# what the board filters on, a column instead of a look-up of each milestone's recent reports.
STORED_AT_RISK = Q(status__in=ACTIVE_STATUSES) & Q(forecast_at_risk=True)


def refresh_forecast_at_risk(milestones: QuerySet) -> None:
    """Store the pace verdict (``PACE_AT_RISK``) on ``milestones``, two UPDATEs whatever their number.

    For bulk writes that bypass the ledger services (the demo's load, the migration that added
    the column); the services keep it through ``store_forecast_at_risk``. The status stays a live condition
    (``STORED_AT_RISK``), so closing or reopening needs no refresh.
    """
    ids = milestones.order_by().values("pk")
    risky = annotate_forecast(milestones.model.objects.filter(pk__in=ids)).filter(PACE_AT_RISK).values("pk")
    milestones.model.objects.filter(pk__in=ids, forecast_at_risk=True).exclude(pk__in=risky).update(
        forecast_at_risk=False
    )
    milestones.model.objects.filter(pk__in=risky, forecast_at_risk=False).update(forecast_at_risk=True)
