"""The liaison's month in the workspace: what still needs a report (本月待报送), started from last month's text."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from progress.selectors.ledger import WORKSPACE_PAGE_SIZE
from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import close_milestone, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(assignment, liaison, sasac, indicator):
    start = timezone.localdate() - datetime.timedelta(days=90)
    due_soon = factories.MilestoneFactory(
        assignment=assignment,
        title="下月到期节点",
        start_date=start,
        due_date=timezone.localdate() + datetime.timedelta(days=20),
    )
    previous = services.report_file(
        milestone=due_soon,
        by=liaison,
        period=last_month(),
        progress=35,
        work_done="上月完成平台选型",
        problems="资金未到位",
        next_steps="签订合同",
        support_needed="协调资金",
        indicator_values={indicator: Decimal("12")},
    )
    services.report_accept(report=previous, by=sasac, expected_version=previous.version)
    later = factories.MilestoneFactory(
        assignment=assignment,
        title="年底到期节点",
        start_date=start,
        due_date=timezone.localdate() + datetime.timedelta(days=200),
    )
    reported = factories.MilestoneFactory(assignment=assignment, title="本月已报送节点", start_date=start)
    services.report_file(milestone=reported, by=liaison, progress=50, work_done="已报")
    closed = factories.MilestoneFactory(assignment=assignment, title="已销号节点", start_date=start)
    close_milestone(closed, liaison=None, sasac=sasac)
    return {"due_soon": due_soon, "later": later}


def due_section(page: str) -> str:
    start = page.index('data-testid="due-this-month"')
    return page[start : page.index('data-testid="workspace-views"')]


def test_workspace_lists_what_still_needs_this_months_report(client, liaison, enterprise, month):
    client.force_login(liaison)

    section = due_section(client.get(f"/enterprises/{enterprise.code}/").content.decode())

    assert 'data-testid="due-count">2<' in section
    assert section.index("下月到期节点") < section.index("年底到期节点")  # soonest due first
    assert "本月已报送节点" not in section and "已销号节点" not in section
    assert f"上次报送 {last_month():%Y-%m}(35%)" in section
    assert f"/milestones/{month['due_soon'].pk}/reports/new/?from=previous" in section
    assert f"/milestones/{month['later'].pk}/reports/new/?from=previous" not in section  # nothing to start from
    assert "用 Excel 一次填报全部" in section


def test_sasac_sees_the_list_without_the_report_buttons(client, sasac, enterprise, month):
    client.force_login(sasac)

    section = due_section(client.get(f"/enterprises/{enterprise.code}/").content.decode())

    assert "下月到期节点" in section
    assert "reports/new" not in section


def test_a_report_starts_from_last_months_text_and_figures(client, liaison, month, indicator):
    client.force_login(liaison)

    page = client.get(f"/milestones/{month['due_soon'].pk}/reports/new/?from=previous").content.decode()

    assert f"已按 {last_month():%Y-%m} 的报送内容预填" in page
    for text in ("上月完成平台选型", "资金未到位", "签订合同", "协调资金"):
        assert text in page
    assert 'name="progress" value="35"' in page
    assert f'name="indicator_{indicator.pk}" value="12.00"' in page
    assert f'value="{timezone.localdate():%Y-%m}"' in page  # filed for this month


def test_a_report_started_from_last_month_is_filed_for_this_month(client, liaison, enterprise, month):
    client.force_login(liaison)
    milestone = month["due_soon"]

    client.post(
        f"/milestones/{milestone.pk}/reports/new/",
        {"period": timezone.localdate().strftime("%Y-%m"), "progress": "45", "work_done": "上月完成平台选型,本月签约"},
    )

    section = due_section(client.get(f"/enterprises/{enterprise.code}/").content.decode())
    assert "下月到期节点" not in section
    assert milestone.reports.get(period=timezone.localdate().replace(day=1)).progress == 45


def test_all_reported_says_so(client, liaison, enterprise, assignment):
    client.force_login(liaison)

    page = client.get(f"/enterprises/{enterprise.code}/").content.decode()

    assert "本月进展已全部报送" in page


def test_the_grouped_workspace_shows_a_page_of_milestones_at_a_time(client, liaison, enterprise, assignment):
    empty = factories.AssignmentFactory(
        enterprise=enterprise, directive=factories.DirectiveFactory(title="尚无节点的任务")
    )
    factories.MilestoneFactory.create_batch(WORKSPACE_PAGE_SIZE + 5, assignment=assignment)
    client.force_login(liaison)

    first = client.get(f"/enterprises/{enterprise.code}/").content.decode()
    second = client.get(f"/enterprises/{enterprise.code}/?page=2").content.decode()

    def rows(page):
        return page[page.index('data-testid="workspace-views"') :].count('data-milestone="')

    assert rows(first) == WORKSPACE_PAGE_SIZE and rows(second) == 5
    assert f"第 1 / 2 页,共 {WORKSPACE_PAGE_SIZE + 5} 个时间节点" in first
    assert "?page=2" in first
    assert empty.directive.title in first and empty.directive.title not in second  # room to add its first one
