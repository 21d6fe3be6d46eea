"""What the board and the charts read from stored columns stays true whichever way the ledger is written:
through the ledger services (the pages, the import) or by IT repairing data in the admin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from progress.models import IndicatorValue, Milestone
from progress.selectors import charts as data
from progress.services.ledger import report_accept, report_file, report_return, report_update
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def page_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/milestones/(\d+)/"', response.content.decode())]


@pytest.fixture
def three_reported(enterprise, sasac):
    """Three milestones of one SOE, each with last month's report filed through the services, oldest first."""
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    milestones = factories.MilestoneFactory.create_batch(
        3, assignment=assignment, start_date=TODAY - 30 * DAY, due_date=TODAY + 60 * DAY
    )
    last_month = (TODAY.replace(day=1) - DAY).replace(day=1)
    reports = [report_file(milestone=m, by=sasac, period=last_month, progress=20, work_done="进展") for m in milestones]
    return milestones, reports


def test_board_sorts_by_review_state_as_sasac_reviews(client, sasac, enterprise, three_reported):
    (accepted, pending, returned), reports = three_reported
    report_accept(report=reports[0], by=sasac, expected_version=reports[0].version)
    report_return(report=reports[2], by=sasac, comment="请补充材料", expected_version=reports[2].version)
    client.force_login(sasac)
    assert page_ids(client.get("/board/?sort=review_state")) == [accepted.pk, pending.pk, returned.pk]
    # Corrected and filed again: back in the queue, sorted with the pending one.
    report_update(report=reports[2], by=sasac, expected_version=reports[2].version + 1, work_done="已补充")
    assert Milestone.objects.get(pk=returned.pk).latest_review_state == "pending"
    assert page_ids(client.get("/board/?sort=review_state")) == [accepted.pk, pending.pk, returned.pk]
    assert page_ids(client.get("/board/?sort=-review_state")) == [returned.pk, pending.pk, accepted.pk]


def test_board_sorts_by_the_latest_report_date_as_reports_are_filed(client, sasac, three_reported):
    (first, second, third), reports = three_reported
    client.force_login(sasac)
    assert page_ids(client.get("/board/?sort=-latest_report")) == [third.pk, second.pk, first.pk]
    # The first milestone files this month's report: now it reported last.
    report_file(milestone=first, by=sasac, progress=30, work_done="本月进展")
    stored = Milestone.objects.get(pk=first.pk)
    assert stored.latest_report.submitted_at == stored.latest_report_at > reports[2].submitted_at
    assert page_ids(client.get("/board/?sort=-latest_report")) == [first.pk, third.pk, second.pk]


def test_admin_deleting_the_newest_report_points_the_milestone_back_at_the_previous_one(admin_client, sasac):
    milestone = factories.MilestoneFactory(start_date=TODAY - 300 * DAY, due_date=TODAY + 200 * DAY)
    older = report_file(milestone=milestone, by=sasac, period=datetime.date(2026, 1, 1), progress=90, work_done="快")
    report_accept(report=older, by=sasac, expected_version=older.version)
    newest = report_file(milestone=milestone, by=sasac, period=datetime.date(2026, 2, 1), progress=5, work_done="错填")
    newest = report_accept(report=newest, by=sasac, expected_version=newest.version)
    milestone.refresh_from_db()
    assert (milestone.latest_report_id, milestone.latest_review_state, milestone.forecast_at_risk) == (
        newest.pk,
        "accepted",
        True,
    )
    assert (milestone.accepted_report_id, milestone.progress) == (newest.pk, 5)
    response = admin_client.post(f"/admin/progress/progressreport/{newest.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.latest_report_id, milestone.latest_report_at, milestone.latest_review_state) == (
        older.pk,
        older.submitted_at,
        "accepted",
    )
    assert milestone.forecast_at_risk is False  # 90 % reached at a pace that makes the due date
    assert (milestone.accepted_report_id, milestone.progress) == (older.pk, 90)


def test_admin_repairing_an_indicator_value_changes_the_leaders_totals(admin_client, sasac):
    milestone = factories.MilestoneFactory()
    indicator = factories.IndicatorFactory(directive=milestone.assignment.directive)
    report = report_file(
        milestone=milestone, by=sasac, progress=10, work_done="进展", indicator_values={indicator: Decimal("30")}
    )
    report = report_accept(report=report, by=sasac, expected_version=report.version)
    value = IndicatorValue.objects.get(report=report)
    response = admin_client.post(
        f"/admin/progress/indicatorvalue/{value.pk}/change/",
        {"report": report.pk, "indicator": indicator.pk, "value": "300"},
    )
    assert response.status_code == 302
    [total] = data.indicator_totals(Milestone.objects.all())
    assert total.total == Decimal("300")
    admin_client.post(f"/admin/progress/indicatorvalue/{value.pk}/delete/", {"post": "yes"})
    assert data.indicator_totals(Milestone.objects.all()) == []
