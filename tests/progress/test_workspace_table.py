"""The board's sortable table inside the enterprise workspace, scoped to that enterprise."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import AssignmentFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_milestones(enterprise):
    assignment = AssignmentFactory(enterprise=enterprise)
    today = timezone.localdate()
    return [
        MilestoneFactory(
            assignment=assignment,
            title=title,
            start_date=today - datetime.timedelta(days=30),
            due_date=today + datetime.timedelta(days=days),
        )
        for title, days in (("完成平台需求调研", 20), ("上线仓储物流模块", 90))
    ]


@pytest.fixture
def other_milestone(other_enterprise):
    return MilestoneFactory(assignment=AssignmentFactory(enterprise=other_enterprise), title="建成化工行业平台")


def test_liaison_sees_its_own_milestones_in_the_sortable_table(
    client, liaison, enterprise, own_milestones, other_milestone
):
    client.force_login(liaison)
    page = client.get(f"/enterprises/{enterprise.code}/?view=table&sort=-due_date").content.decode()
    page = page[page.index('data-testid="workspace-views"') :]  # the table, below 本月待报送
    assert page.index("上线仓储物流模块") < page.index("完成平台需求调研")
    assert "建成化工行业平台" not in page
    assert 'data-testid="count-green"' in page


def test_another_enterprise_liaison_gets_404_for_the_table(client, other_liaison, enterprise, own_milestones):
    client.force_login(other_liaison)
    assert client.get(f"/enterprises/{enterprise.code}/?view=table").status_code == 404


def test_table_view_query_count_does_not_grow_with_milestones(
    client, sasac, enterprise, own_milestones, django_assert_max_num_queries
):
    client.force_login(sasac)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/enterprises/{enterprise.code}/?view=table")
    MilestoneFactory.create_batch(25, assignment=own_milestones[0].assignment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/enterprises/{enterprise.code}/?view=table")
