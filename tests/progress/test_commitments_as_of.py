"""The past reads the commitments of its own day: an extension or a withdrawal SASAC grants today
does not rewrite last month's overdue count in the leaders' trend, the period comparison or the
circular (supervision rules 1 and 5)."""

import datetime

import pytest
from django.utils import timezone

from progress.circulars.figures import Period, circular_data
from progress.models import Milestone, RequestKind
from progress.selectors import charts
from progress.selectors.period_comparison import month_end, period_comparison, previous_month
from progress.services import requests as request_services
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
LAST_MONTH_END = month_end(previous_month(TODAY))
def granted(milestone, *, kind, liaison, sasac, changes=None) -> Milestone:
    """The liaison asks, SASAC approves today."""
    request = request_services.request_file(
        milestone=milestone,
        by=liaison,
        kind=kind,
        reason="设备到货推迟",
        expected_version=milestone.version,
        changes=changes,
    )
    request_services.request_decide(
        request=request, by=sasac, approve=True, comment="同意", expected_version=request.version
    )
    return Milestone.objects.get(pk=milestone.pk)


@pytest.fixture
def late_work(enterprise, approved, liaison, sasac):
    """Two milestones overdue since before last month's end: today one is extended, one withdrawn."""
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    extended = factories.MilestoneFactory(
        assignment=assignment, title="建成酿造平台", start_date=TODAY - 200 * DAY, due_date=LAST_MONTH_END - 5 * DAY
    )
    withdrawn = factories.MilestoneFactory(
        assignment=assignment, title="上云企业", start_date=TODAY - 200 * DAY, due_date=LAST_MONTH_END - 40 * DAY
    )
    Milestone.objects.update(created_at=timezone.now() - 300 * DAY)
    extended = granted(
        extended,
        kind=RequestKind.EXTENSION,
        liaison=liaison,
        sasac=sasac,
        changes={"due_date": TODAY + 60 * DAY},
    )
    withdrawn = granted(withdrawn, kind=RequestKind.WITHDRAWAL, liaison=liaison, sasac=sasac)
    assert extended.due_date == TODAY + 60 * DAY and withdrawn.status == "withdrawn"
    return extended, withdrawn


def test_the_overdue_trend_keeps_the_past_overdue_after_an_extension_and_a_withdrawal(late_work):
    points = dict(charts.overdue_trend(Milestone.objects.all(), on=TODAY, weeks=2))
    # Before today's decisions both were overdue; from today neither is.
    assert points[TODAY - 7 * DAY] == 2
    assert points[TODAY] == 0


def test_last_month_in_the_period_comparison_counts_both_as_they_stood(late_work):
    months, trends, totals, trend_days = period_comparison(
        Milestone.objects.all(), on=TODAY, compare=previous_month(previous_month(TODAY))
    )
    this_month, last_month = totals[0], totals[1]
    assert (last_month.tracked, last_month.overdue) == (2, 2)
    assert (this_month.tracked, this_month.overdue) == (1, 0)
    assert trend_days[-2] == LAST_MONTH_END
    assert trends[0].overdue_trend[-2:] == [2, 0]


def test_last_months_circular_red_list_shows_the_due_date_of_then(late_work, sasac):
    extended, _withdrawn = late_work
    data = circular_data(Period.month(LAST_MONTH_END), today=TODAY)
    assert data["totals"]["red"] == 2
    shown = {row["title"]: row["due_date"] for e in data["red_list"] for row in e["milestones"]}
    assert shown[extended.title] == (LAST_MONTH_END - 5 * DAY).isoformat()
    # This month: the extension moved it out of the red, the withdrawal out of the count.
    now = circular_data(Period.month(TODAY), today=TODAY)
    assert (now["totals"]["red"], now["totals"]["tracked"]) == (0, 1)
