"""Closure (销号) is a verified step: the liaison asks with the completion evidence, SASAC verifies
with a note, and closing never rewrites the reported progress."""

import pytest

from progress.models import Evidence, MilestoneRequest, MilestoneStatus, Notification, NotificationKind
from progress.services import ledger as services
from progress.services import requests as request_services
from tests.progress.ledger_helpers import PDF_BYTES, close_milestone, last_month, pdf

pytestmark = pytest.mark.django_db


def accepted_report(milestone, liaison, sasac, *, progress, period=None):
    report = services.report_file(
        milestone=milestone, by=liaison, period=period, progress=progress, work_done=f"累计完成{progress}%"
    )
    return services.report_accept(report=report, by=sasac, expected_version=report.version)


def ask_for_closure(client, milestone, *, files=()):
    milestone.refresh_from_db()
    data = {"reason": "平台已上线,交付成果已验收", "version": milestone.version}
    if files:
        data["evidence"] = list(files)
    return client.post(f"/milestones/{milestone.pk}/request-closure/", data)


def test_sasac_cannot_close_work_nobody_asked_to_close(client, sasac, milestone):
    client.force_login(sasac)
    response = client.post(f"/milestones/{milestone.pk}/close/", {"comment": "直接销号", "version": 1}, follow=True)
    assert "销号须由企业申请,国资委核实" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN


def test_the_liaison_asks_with_evidence_and_sasac_is_told(client, liaison, sasac, other_liaison, milestone):
    accepted_report(milestone, liaison, sasac, progress=100)
    client.force_login(liaison)
    assert ask_for_closure(client, milestone, files=[pdf("验收报告.pdf")]).status_code == 302
    request = MilestoneRequest.objects.get()
    evidence = Evidence.objects.get(request=request)
    assert (request.kind, evidence.original_name, evidence.report) == ("closure", "验收报告.pdf", None)
    assert Notification.objects.filter(recipient=sasac, kind=NotificationKind.CLOSURE_REQUESTED).exists()
    client.force_login(sasac)
    queue = client.get("/reviews/?tab=closures").content.decode()
    assert milestone.title in queue and "验收报告.pdf" in queue
    assert b"".join(client.get(f"/evidence/{evidence.pk}/").streaming_content) == PDF_BYTES
    client.force_login(other_liaison)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_verification_needs_a_note_and_keeps_the_progress(client, liaison, sasac, milestone):
    accepted_report(milestone, liaison, sasac, progress=100)
    client.force_login(liaison)
    ask_for_closure(client, milestone)
    request = MilestoneRequest.objects.get()
    client.force_login(sasac)
    response = client.post(f"/milestones/{milestone.pk}/close/", {"comment": " ", "version": 1}, follow=True)
    assert "核实销号须填写核验意见" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED

    client.post(f"/milestones/{milestone.pk}/close/", {"comment": "经现场核验,平台运行正常", "version": 1})
    milestone.refresh_from_db()
    request.refresh_from_db()
    assert (milestone.status, milestone.progress, milestone.closed_by) == (MilestoneStatus.CLOSED, 100, sasac)
    assert (request.state, request.decision_comment) == ("approved", "经现场核验,平台运行正常")
    notice = Notification.objects.get(recipient=liaison, kind=NotificationKind.CLOSURE_DECIDED)
    assert "经现场核验,平台运行正常" in notice.body


def test_reports_waiting_for_review_must_be_decided_first(client, liaison, sasac, milestone):
    accepted_report(milestone, liaison, sasac, progress=60, period=last_month())
    services.report_file(milestone=milestone, by=liaison, progress=100, work_done="全部完成")
    client.force_login(liaison)
    ask_for_closure(client, milestone)
    client.force_login(sasac)
    page = client.get("/reviews/?tab=closures").content.decode()
    assert 'data-testid="closure-blocked"' in page
    response = client.post(
        f"/milestones/{milestone.pk}/close/", {"comment": "同意", "shortfall_reason": "可以", "version": 1}, follow=True
    )
    assert "还有 1 份待审核的报送" in response.content.decode() and "请先审核这些报送" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED and milestone.progress == 60


@pytest.mark.parametrize(
    ("progress", "reason", "closed"), [(99, "", False), (99, "剩余工作并入二期", True), (100, "", True)]
)
def test_below_100_percent_closes_only_with_an_explicit_reason(liaison, sasac, milestone, progress, reason, closed):
    accepted_report(milestone, liaison, sasac, progress=progress)
    milestone.refresh_from_db()
    request = request_services.request_file(
        milestone=milestone, by=liaison, kind="closure", reason="完成", expected_version=milestone.version
    )
    decide = {"request": request, "by": sasac, "approve": True, "comment": "核验", "shortfall_reason": reason}
    if closed:
        request_services.request_decide(**decide, expected_version=request.version)
    else:
        with pytest.raises(services.LedgerError, match="未达到 100%"):
            request_services.request_decide(**decide, expected_version=request.version)
    milestone.refresh_from_db()
    assert milestone.status == (MilestoneStatus.CLOSED if closed else MilestoneStatus.CLOSURE_REQUESTED)
    assert milestone.progress == progress  # closing never rewrites it
    request.refresh_from_db()
    assert request.shortfall_reason == (reason if closed else "")


def test_the_liaison_cannot_close_its_own_milestone_nor_a_leader(client, liaison, leader, sasac, milestone):
    accepted_report(milestone, liaison, sasac, progress=100)
    client.force_login(liaison)
    ask_for_closure(client, milestone)
    request = MilestoneRequest.objects.get()
    for user in (liaison, leader):
        client.force_login(user)
        assert (
            client.post(f"/milestones/{milestone.pk}/close/", {"comment": "自己核实", "version": 1}).status_code == 403
        )
        assert client.post(f"/requests/{request.pk}/approve/", {"comment": "自己核实", "version": 1}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED


def test_a_closure_request_can_be_taken_back_and_the_work_goes_on(client, liaison, milestone):
    client.force_login(liaison)
    ask_for_closure(client, milestone)
    request = MilestoneRequest.objects.get()
    client.post(f"/requests/{request.pk}/cancel/", {"version": request.version})
    milestone.refresh_from_db()
    request.refresh_from_db()
    assert (milestone.status, request.state) == (MilestoneStatus.OPEN, "cancelled")
    assert client.get(f"/milestones/{milestone.pk}/reports/new/").status_code == 200


def test_a_returned_report_cannot_be_resubmitted_once_the_milestone_is_closed(client, liaison, sasac, milestone):
    accepted_report(milestone, liaison, sasac, progress=80, period=last_month())
    returned = services.report_file(milestone=milestone, by=liaison, progress=85, work_done="基本完成")
    returned = services.report_return(report=returned, by=sasac, expected_version=returned.version, comment="请补充")
    close_milestone(milestone, liaison=liaison, sasac=sasac, shortfall_reason="剩余工作并入二期")

    client.force_login(liaison)
    response = client.post(
        f"/reports/{returned.pk}/edit/",
        {
            "progress": 100,
            "work_done": "全部完成",
            "version": returned.version,
            "period": returned.period.strftime("%Y-%m"),
        },
    )

    assert response.status_code == 200 and "已销号" in response.content.decode()
    returned.refresh_from_db()
    milestone.refresh_from_db()
    assert returned.progress == 85 and returned.review_state == "returned"
    assert milestone.status == MilestoneStatus.CLOSED and milestone.progress == 80
