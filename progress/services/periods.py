"""Reporting periods: SASAC closes a month, and its ledger is kept as it stood.

There is no reopen: a closed month's reports are frozen (the report services refuse
to add or change them once ``ReportingPeriod.closed_at`` is set) and its snapshot is
the file behind any circular (通报) that quoted it.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from progress.models import LedgerSnapshot, Milestone, ReportingPeriod
from progress.selectors.ledger_rows import ledger_rows_as_of


class PeriodError(Exception):
    """A period change that is not allowed; the message is for the user."""


def first_of_next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def period_close(*, month: datetime.date, by) -> ReportingPeriod:
    """Close reporting month ``month`` and store every enterprise's ledger as it stands.

    The snapshot shows every milestone as it stands now with its newest report up to
    that month (a report of a later month is not part of this month's ledger). Refuses
    a month not yet over and one already closed.
    """
    month = month.replace(day=1)
    if first_of_next_month(month) > timezone.localdate():
        raise PeriodError(_("%(m)s 尚未结束,不能关账。") % {"m": month.strftime("%Y-%m")})
    with transaction.atomic():
        period, _created = ReportingPeriod.objects.select_for_update().get_or_create(month=month)
        if period.closed_at is not None:
            raise PeriodError(
                _("%(m)s 已于 %(t)s 关账。")
                % {
                    "m": month.strftime("%Y-%m"),
                    "t": timezone.localtime(period.closed_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        period.closed_at = timezone.now()
        period.closed_by = by
        period.save(update_fields=["closed_at", "closed_by"])

        rows_by_enterprise: dict[str, list[dict]] = defaultdict(list)
        for row in ledger_rows_as_of(Milestone.objects.all(), month=month):
            rows_by_enterprise[row.enterprise_code].append(row.to_json())
        LedgerSnapshot.objects.bulk_create(
            LedgerSnapshot(period=period, enterprise_id=pk, rows=rows_by_enterprise.get(code, []))
            for code, pk in Enterprise.objects.values_list("code", "pk")
        )
    return period
