"""The ledger workflow as its users live it: file, return, correct, accept, ask for closure, verify, and the
history of it all."""

import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from progress.history_reasons import render_reason
from progress.models import (
    Evidence,
    Milestone,
    MilestoneStatus,
    Notification,
    NotificationKind,
    ProgressReport,
    ReviewState,
)
from progress.services import ledger as services
from tests.progress.ledger_helpers import PDF_BYTES, close_milestone, pdf, report_post


def test_liaison_files_sasac_returns_liaison_corrects_sasac_accepts_and_closes_history_shows_every_step(
    client, liaison, sasac, other_liaison, milestone, media_root
):
    this_month = timezone.localdate().strftime("%Y-%m")

    # 1. The liaison files this month's report with a PDF: it waits for review and counts nowhere yet.
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/reports/new/",
        report_post(period=this_month, progress="60", evidence=pdf()),
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(milestone=milestone)
    assert report.review_state == ReviewState.PENDING
    assert report.is_late is False
    milestone.refresh_from_db()
    assert milestone.progress == 20 and milestone.latest_report_id == report.pk
    evidence = Evidence.objects.get(report=report)
    assert evidence.original_name == "进展说明.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    stored = Path(media_root) / evidence.file.name
    assert stored.read_bytes() == PDF_BYTES
    assert "进展说明" not in evidence.file.name  # a generated name, not the user's

    # 2. SASAC finds it in the queue and returns it with a comment; the liaison is told.
    client.force_login(sasac)
    queue = client.get("/reviews/")
    assert milestone.title in queue.content.decode()
    response = client.post(
        f"/reports/{report.pk}/return/", {"comment": "请补充上云企业名单", "version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.RETURNED
    notice = Notification.objects.get(recipient=liaison, kind=NotificationKind.REPORT_RETURNED)
    assert "请补充上云企业名单" in notice.body

    # 3. The returned report waits in the liaison's workspace with the comment highlighted.
    client.force_login(liaison)
    page = client.get(f"/enterprises/{milestone.assignment.enterprise.code}/").content.decode()
    assert 'data-testid="returned-reports"' in page and "请补充上云企业名单" in page

    # 4. The liaison corrects it to 100 %; it goes back into the queue.
    response = client.post(
        f"/reports/{report.pk}/edit/",
        report_post(progress="100", work_done="完成平台一期部署,附上云企业名单", version=report.version),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.PENDING and report.progress == 100

    # 5. SASAC accepts it: now leaders see 100 %, and the liaison is told.
    client.force_login(sasac)
    assert client.post(f"/reports/{report.pk}/accept/", {"comment": "", "version": report.version}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.progress == 100 and milestone.accepted_report_id == report.pk
    assert Notification.objects.filter(recipient=liaison, kind=NotificationKind.REPORT_ACCEPTED).exists()

    # 6. The liaison asks for closure; SASAC verifies it with a note. The progress stays as accepted.
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/request-closure/", {"reason": "平台一期已上线运行", "version": milestone.version}
    )
    assert response.status_code == 302
    closure = milestone.requests.get()
    client.force_login(sasac)
    assert client.post(f"/milestones/{milestone.pk}/close/", {"version": closure.version}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED  # no verification note, no closure
    response = client.post(
        f"/milestones/{milestone.pk}/close/", {"comment": "经核验,系统已上线", "version": closure.version}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSED and milestone.closed_by == sasac and milestone.progress == 100

    # 7. The history on the milestone page shows every step, who did it, before and after.
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    steps = ["报送", "退回:请补充上云企业名单", "按退回意见修改后重新报送", "审核通过", "申请销号"]
    for step in [*steps, "核实销号:经核验,系统已上线"]:
        assert step in page, step
    assert "已退回" in page and "待审核" in page and "已通过" in page  # review state before → after
    assert "进度(%)" in page  # Chinese field names
    assert liaison.username in page and sasac.username in page

    # 8. The evidence comes only through the checked view, never to another enterprise.
    client.force_login(liaison)
    download = client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert "attachment" in download["Content-Disposition"]
    client.force_login(other_liaison)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/milestones/{milestone.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/edit/").status_code == 404


def test_returning_a_report_without_a_comment_is_refused(client, sasac, milestone, liaison):
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="启动")
    client.force_login(sasac)
    response = client.post(f"/reports/{report.pk}/return/", {"comment": "  ", "version": report.version}, follow=True)
    report.refresh_from_db()
    assert report.review_state == ReviewState.PENDING
    assert "退回报送须填写审核意见" in response.content.decode()


def test_accepted_report_is_immutable(client, liaison, sasac, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="启动")
    report = services.report_accept(report=report, by=sasac, expected_version=report.version)
    client.force_login(liaison)
    response = client.post(f"/reports/{report.pk}/edit/", report_post(work_done="事后改写", version=report.version + 1))
    report.refresh_from_db()
    assert report.work_done == "启动"
    assert "该报送当前为“已通过”,不能修改" in response.content.decode()
    with pytest.raises(services.LedgerError):
        services.report_update(report=report, by=liaison, expected_version=report.version, work_done="再改")


def test_second_report_for_the_same_month_is_refused(client, liaison, milestone):
    services.report_file(milestone=milestone, by=liaison, progress=30, work_done="启动")
    client.force_login(liaison)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(period=month))
    assert response.status_code == 200
    assert "已有报送" in response.content.decode()
    assert ProgressReport.objects.filter(milestone=milestone).count() == 1


def test_indicator_value_outside_its_range_is_refused(client, liaison, milestone, indicator):
    client.force_login(liaison)
    field = f"indicator_{indicator.pk}"
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(**{field: "900"}))
    assert response.status_code == 200
    assert "500" in response.content.decode()  # the allowed maximum is named
    assert not ProgressReport.objects.exists()
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(**{field: "120"}))
    assert response.status_code == 302
    assert ProgressReport.objects.get().indicator_values.get().value == 120


def test_accepting_an_older_month_does_not_override_the_newer_progress(liaison, sasac, milestone):
    from tests.progress.ledger_helpers import last_month

    newer = services.report_file(milestone=milestone, by=liaison, progress=70, work_done="本月")
    services.report_accept(report=newer, by=sasac, expected_version=newer.version)
    older = services.report_file(
        milestone=milestone, by=liaison, period=last_month(), progress=40, work_done="补报上月"
    )
    services.report_accept(report=older, by=sasac, expected_version=older.version)
    milestone.refresh_from_db()
    assert milestone.latest_report_id == newer.pk and milestone.accepted_report_id == newer.pk
    assert milestone.progress == 70


def test_liaison_requests_closure_and_sasac_turns_it_down_with_a_reason(client, liaison, sasac, milestone):
    client.force_login(liaison)
    client.post(f"/milestones/{milestone.pk}/request-closure/", {"reason": "", "version": milestone.version})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN  # no completion statement, no request
    client.post(f"/milestones/{milestone.pk}/request-closure/", {"reason": "已完成", "version": milestone.version})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED
    closure = milestone.requests.get()
    client.force_login(sasac)
    client.post(f"/requests/{closure.pk}/refuse/", {"comment": "", "version": closure.version})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED  # no note, no change
    client.post(f"/requests/{closure.pk}/refuse/", {"comment": "佐证材料不足", "version": closure.version})
    milestone.refresh_from_db()
    closure.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN and closure.state == "refused"
    assert render_reason(milestone.history.first().history_change_reason) == "不同意销号申请:佐证材料不足"
    assert "佐证材料不足" in Notification.objects.get(recipient=liaison, kind=NotificationKind.CLOSURE_DECIDED).body


def test_request_closure_inline_returns_the_updated_row(client, liaison, milestone):
    client.force_login(liaison)
    form = client.get(f"/milestones/{milestone.pk}/request-closure/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in form and 'name="reason"' in form and 'name="evidence"' in form
    response = client.post(
        f"/milestones/{milestone.pk}/request-closure/",
        {"reason": "已完成", "version": milestone.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#m-{milestone.pk}"
    assert f'id="m-{milestone.pk}"' in response.content.decode()
    assert "申请销号" in response.content.decode()


def test_report_form_from_the_list_opens_as_a_partial_and_saves_into_the_row(client, liaison, milestone):
    client.force_login(liaison)
    form = client.get(f"/milestones/{milestone.pk}/reports/new/", HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith("<form") and "<html" not in form
    response = client.post(
        f"/milestones/{milestone.pk}/reports/new/", report_post(progress="55"), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == f"#m-{milestone.pk}"
    assert "55%" in response.content.decode()
    assert "ledgerSaved" in response["HX-Trigger"]


def test_withdrawing_a_milestone_before_approval_needs_a_reason_and_keeps_the_row(client, liaison, milestone):
    client.force_login(liaison)
    client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": "", "version": milestone.version})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN
    client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": "任务并入二期", "version": milestone.version})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.WITHDRAWN and milestone.withdrawn_reason == "任务并入二期"
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_only_open_milestones_take_reports(liaison, sasac, milestone):
    close_milestone(milestone, liaison=liaison, sasac=sasac)
    with pytest.raises(services.LedgerError):
        services.report_file(milestone=milestone, by=liaison, progress=100, work_done="补报")


def test_closing_and_reopening_never_rewrite_the_accepted_progress(client, liaison, sasac, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=60, work_done="完成六成")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    close_milestone(milestone, liaison=liaison, sasac=sasac, shortfall_reason="剩余部分并入二期")
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSED and milestone.progress == 60

    client.force_login(sasac)
    response = client.post(
        f"/milestones/{milestone.pk}/reopen/", {"reason": "验收未通过", "version": milestone.version}
    )
    assert response.status_code == 302

    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN and milestone.progress == 60
    assert milestone.closed_at is None
    assert Notification.objects.filter(recipient=liaison, kind=NotificationKind.MILESTONE_REOPENED).exists()


def test_report_form_refused_under_htmx_answers_in_the_modal(client, liaison, sasac, milestone):
    close_milestone(milestone, liaison=liaison, sasac=sasac)
    client.force_login(liaison)

    response = client.get(f"/milestones/{milestone.pk}/reports/new/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = response.content.decode()
    assert "该时间节点当前为“已销号”,不能报送进展" in page and "<html" not in page
