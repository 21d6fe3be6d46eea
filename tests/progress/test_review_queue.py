"""One queue for everything SASAC must decide: tabs with counts, oldest first, each item decided in one
step with a comment; the counts on SASAC's home page and in the header."""

import datetime
import json

import pytest
from django.utils import timezone

from progress.models import MilestoneRequest, PlanStatus, ReviewState
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def waiting(enterprise, other_enterprise, liaison, other_liaison, sasac):
    """Two reports, one closure request, two extension requests and one plan wait for SASAC."""
    submitted = []
    for owner, by in ((enterprise, liaison), (other_enterprise, other_liaison)):
        plan = services.plan_save(enterprise=owner, by=by, expected_version=None, title=f"{owner.short_name}方案")
        submitted.append(services.plan_submit(plan=plan, by=by, expected_version=plan.version))
    approved = services.plan_approve(plan=submitted[0], by=sasac, expected_version=submitted[0].version)
    assert approved.status == PlanStatus.APPROVED
    first, second, third = (
        factories.MilestoneFactory(assignment__enterprise=enterprise, title=title)
        for title in ("先提出的节点", "后提出的节点", "申请销号的节点")
    )
    for milestone in (first, second):
        services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
    for milestone in (first, second):
        milestone.refresh_from_db()
        request_services.request_file(
            milestone=milestone,
            by=liaison,
            kind="extension",
            reason=f"{milestone.title}需要延期",
            changes={"due_date": milestone.due_date + 30 * DAY},
            expected_version=milestone.version,
        )
    request_services.request_file(
        milestone=third, by=liaison, kind="closure", reason="已完成", expected_version=third.version
    )
    return {"first": first, "second": second, "third": third}


def test_the_queue_has_a_tab_per_decision_with_its_count(client, sasac, waiting):
    client.force_login(sasac)
    page = client.get("/reviews/").content.decode()
    for tab, count in (("reports", 2), ("closures", 1), ("requests", 2), ("plans", 1)):
        assert f'data-queue-count="{tab}">{count}<' in page, tab
    requests = client.get("/reviews/?tab=requests").content.decode()
    assert requests.index("先提出的节点需要延期") < requests.index("后提出的节点需要延期")  # oldest first
    plans = client.get("/reviews/?tab=plans").content.decode()
    assert "化工示范方案" in plans and 'data-testid="plan-text"' in plans
    assert "青啤示范方案" not in plans  # already approved


def test_sasac_home_page_and_header_show_the_counts(client, sasac, leader, liaison, waiting):
    client.force_login(sasac)
    home = client.get("/").content.decode()
    assert 'data-testid="decision-counts"' in home
    assert 'data-testid="queue-total" title="待国资委决策的事项">6<' in home
    assert 'href="/reviews/?tab=closures"' in home
    board = client.get("/board/").content.decode()
    assert 'data-testid="queue-total"' in board  # every page's header
    for user in (leader, liaison):
        client.force_login(user)
        assert 'data-testid="queue-total"' not in client.get("/").content.decode()
    assert 'data-testid="pending-requests">3<' in client.get("/").content.decode()  # the liaison's own


def test_a_decision_under_htmx_takes_the_card_out_and_counts_it_off(client, sasac, waiting):
    request = MilestoneRequest.objects.get(milestone=waiting["first"])
    client.force_login(sasac)
    response = client.post(
        f"/requests/{request.pk}/approve/", {"comment": "同意", "version": request.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content == b""
    events = json.loads(response["HX-Trigger"])
    assert events["queueChanged"] and events["ledgerSaved"] == "已同意延期申请:先提出的节点"
    refused = client.post(f"/requests/{request.pk}/refuse/", {"comment": "重复", "version": 2}, HTTP_HX_REQUEST="true")
    # A second decision is refused beside the card, which no longer offers to decide.
    card = refused.content.decode()
    assert 'data-testid="request-error"' in card and "该申请当前为“已同意”" in card
    assert 'data-testid="decision-form"' not in card


def test_reports_are_accepted_from_the_queue_in_one_step(client, sasac, waiting):
    report = waiting["first"].reports.get()
    client.force_login(sasac)
    response = client.post(
        f"/reports/{report.pk}/accept/", {"comment": "", "version": report.version}, HTTP_HX_REQUEST="true"
    )
    assert "queueChanged" in response["HX-Trigger"]
    report.refresh_from_db()
    assert report.review_state == ReviewState.ACCEPTED


@pytest.mark.parametrize("tab", ["reports", "closures", "requests", "plans"])
def test_each_tab_costs_a_fixed_number_of_queries(client, sasac, waiting, tab, django_assert_max_num_queries):
    client.force_login(sasac)
    with django_assert_max_num_queries(14) as few:
        assert client.get(f"/reviews/?tab={tab}").status_code == 200
    for index in range(3):
        milestone = factories.MilestoneFactory(assignment=waiting["first"].assignment, title=f"更多节点{index}")
        services.report_file(milestone=milestone, by=None, progress=10, work_done="进展")
        milestone.refresh_from_db()
        request_services.request_file(
            milestone=milestone,
            by=None,
            kind="closure" if index % 2 else "extension",
            reason="更多",
            changes={"due_date": milestone.due_date + DAY},
            expected_version=milestone.version,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/reviews/?tab={tab}").status_code == 200


def test_leaders_and_liaisons_have_no_queue(client, leader, liaison):
    for user in (leader, liaison):
        client.force_login(user)
        assert client.get("/reviews/?tab=requests").status_code == 403


def test_review_card_shows_next_steps_and_coordination_needs(client, sasac, liaison, enterprise):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    services.report_file(
        milestone=milestone,
        by=liaison,
        progress=30,
        work_done="完成选型",
        next_steps="下月上线试运行",
        support_needed="协调电力接入",
    )
    client.force_login(sasac)
    page = client.get("/reviews/").content.decode()
    assert "下月上线试运行" in page
    assert "协调电力接入" in page


def test_a_resubmitted_report_shows_when_it_came_back(client, sasac, liaison, enterprise):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
    report = services.report_return(report=report, by=sasac, expected_version=report.version, comment="补充")
    first = report.submitted_at
    report = services.report_update(report=report, by=liaison, expected_version=report.version, work_done="补充后")
    assert report.submitted_at > first
    assert report.review_state == ReviewState.PENDING
