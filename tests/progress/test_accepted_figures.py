"""What leaders see is what SASAC accepted: a report filed at 40 % shows nowhere in leaders' figures
until it is accepted, and shows as "待审核 40%" where the liaison and SASAC work."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from progress.models import Milestone
from progress.selectors import charts as data
from progress.services import ledger as services
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def filed(enterprise, liaison):
    """A milestone at 0 % accepted, whose liaison just filed 40 %."""
    milestone = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="上线工业互联网平台",
        start_date=TODAY - 10 * DAY,
        due_date=TODAY + 200 * DAY,
        progress=0,
    )
    report = services.report_file(milestone=milestone, by=liaison, progress=40, work_done="完成四成")
    return milestone, report


def leaders_figures(client, leader, milestone) -> dict:
    """The milestone's progress wherever leaders read it."""
    client.force_login(leader)
    board = client.get("/board/").content.decode()
    row = board[board.index(f'href="/milestones/{milestone.pk}/"') :].split("</tr>")[0]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/board/export.xlsx").content)).active
    header, exported = list(sheet.iter_rows(values_only=True))
    directive = client.get(f"/directives/{milestone.assignment.directive_id}/").content.decode()
    [completion] = data.completion_by_enterprise(data.health_breakdown(Milestone.objects.all(), on=TODAY))
    return {
        "board": 'aria-valuenow="40"' in row,
        "export": exported[header.index("已审核进度(%)")] == 40,
        "directive": "40.0%" in directive,
        "chart": completion.average_progress == 40,
    }


def test_a_report_at_40_percent_counts_for_leaders_only_once_accepted(client, leader, sasac, filed):
    milestone, report = filed
    assert leaders_figures(client, leader, milestone) == dict.fromkeys(("board", "export", "directive", "chart"), False)
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    assert leaders_figures(client, leader, milestone) == dict.fromkeys(("board", "export", "directive", "chart"), True)


def test_the_pending_figure_shows_as_pending_on_the_milestone_and_the_workspace(client, liaison, sasac, filed):
    milestone, report = filed
    client.force_login(liaison)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "待审核 40%" in page and 'aria-valuenow="0"' in page
    workspace = client.get(f"/enterprises/{milestone.assignment.enterprise.code}/").content.decode()
    assert 'data-testid="pending-progress">待审核 40%' in workspace
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "待审核 40%" not in page and 'aria-valuenow="40"' in page


def test_a_returned_report_never_counts(client, leader, sasac, filed):
    milestone, report = filed
    services.report_return(report=report, by=sasac, comment="数据有误", expected_version=report.version)
    assert not any(leaders_figures(client, leader, milestone).values())
    milestone.refresh_from_db()
    assert milestone.progress == 0 and milestone.accepted_report is None
