"""Each role lands on a home page with real data."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import AssignmentFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_own(enterprise):
    return MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise),
        title="接入卡奥斯平台仓储物流模块",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )


@pytest.fixture
def overdue_other(other_enterprise):
    return MilestoneFactory(
        assignment=AssignmentFactory(enterprise=other_enterprise),
        title="建成化工行业工业互联网平台",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_liaison_home_shows_its_enterprise_and_only_its_milestones(client, liaison, overdue_own, overdue_other):
    client.force_login(liaison)
    page = client.get("/").content.decode()
    assert overdue_own.assignment.enterprise.name in page
    assert overdue_own.title in page
    assert overdue_other.title not in page
    assert 'data-health="red">1<' in page


def test_sasac_home_counts_every_enterprise(client, sasac, overdue_own, overdue_other, django_assert_max_num_queries):
    client.force_login(sasac)
    # 16 with the ledger's stamp (for the cached figures and the header's queue counts).
    with django_assert_max_num_queries(16):
        page = client.get("/").content.decode()
    assert overdue_own.title in page and overdue_other.title in page
    assert 'data-health="red">2<' in page
    assert "逾期最多的企业" in page


def test_leader_home_is_read_only_summary(client, leader, overdue_own):
    client.force_login(leader)
    page = client.get("/").content.decode()
    assert "领导驾驶舱" in page
    assert "/reviews/" not in page


def test_home_query_count_does_not_grow_with_milestones(client, sasac, enterprise, django_assert_max_num_queries):
    assignment = AssignmentFactory(enterprise=enterprise)
    client.force_login(sasac)
    MilestoneFactory.create_batch(3, assignment=assignment)
    with django_assert_max_num_queries(16) as few:
        client.get("/")
    MilestoneFactory.create_batch(30, assignment=assignment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
    # Until the ledger changes, the figures come from the cache.
    with django_assert_max_num_queries(7):
        client.get("/")
