"""Long silent (长期未报送): an open milestone with no accepted report for ``LONG_SILENT_MONTHS``.

The clock starts at the submission of the milestone's newest accepted report
(``Milestone.accepted_report_at``, stored by the ledger services in the transaction that
accepts it, so accepting a report submitted within those months clears the flag at once), or at the start date
when nothing was ever accepted. A report waiting for review does not stop the clock: what
SASAC has not accepted counts nowhere leaders look.

As with health, the rule exists twice in one module: ``is_long_silent`` for one milestone in
Python, ``long_silent_condition`` in SQL for the board's filter, the counts and the exports.
"""

import calendar
import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from progress.forecast import ACTIVE_STATUSES


def silence_cutoff(on: datetime.date) -> datetime.date:
    """Silent since before this day means long silent: the same day ``LONG_SILENT_MONTHS`` months
    back (the month's last day when it is shorter)."""
    months = on.year * 12 + on.month - 1 - settings.LONG_SILENT_MONTHS
    year, month = divmod(months, 12)
    month += 1
    return on.replace(year=year, month=month, day=min(on.day, calendar.monthrange(year, month)[1]))


def silent_since(milestone) -> datetime.date:
    return _since(milestone.start_date, milestone.accepted_report_at)


def is_long_silent(milestone, *, on: datetime.date) -> bool:
    return is_long_silent_row(
        status=milestone.status, start_date=milestone.start_date, accepted_at=milestone.accepted_report_at, on=on
    )


def is_long_silent_row(*, status: str, start_date: datetime.date, accepted_at, on: datetime.date) -> bool:
    """``is_long_silent`` on plain column values (the exports read rows, not milestones)."""
    return status in ACTIVE_STATUSES and _since(start_date, accepted_at) < silence_cutoff(on)


def _since(start_date: datetime.date, accepted_at) -> datetime.date:
    return timezone.localtime(accepted_at).date() if accepted_at is not None else start_date


def long_silent_condition(*, on: datetime.date) -> Q:
    """``is_long_silent`` as a filter on milestones (columns of the milestone row only)."""
    cutoff = silence_cutoff(on)
    start_of_cutoff = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    return Q(status__in=ACTIVE_STATUSES) & (
        Q(accepted_report_at__lt=start_of_cutoff) | Q(accepted_report_at__isnull=True, start_date__lt=cutoff)
    )
