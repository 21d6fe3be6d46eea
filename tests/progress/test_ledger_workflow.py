"""The ledger workflow as its users live it: file, return, correct, accept, close, and the history of it all."""

import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from progress.models import Evidence, Milestone, MilestoneStatus, ProgressReport, ReviewState
from progress.services import ledger as services
from tests.progress.ledger_helpers import PDF_BYTES, pdf, report_post


def test_liaison_files_sasac_returns_liaison_corrects_sasac_accepts_and_closes_history_shows_every_step(
    client, liaison, sasac, other_liaison, milestone, media_root
):
    this_month = timezone.localdate().strftime("%Y-%m")

    # 1. The liaison files this month's report with a PDF.
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
    assert milestone.progress == 60 and milestone.latest_report_id == report.pk
    evidence = Evidence.objects.get(report=report)
    assert evidence.original_name == "进展说明.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    stored = Path(media_root) / evidence.file.name
    assert stored.read_bytes() == PDF_BYTES
    assert "进展说明" not in evidence.file.name  # a generated name, not the user's

    # 2. SASAC finds it in the queue and returns it with a comment.
    client.force_login(sasac)
    queue = client.get("/reviews/")
    assert milestone.title in queue.content.decode()
    response = client.post(f"/reports/{report.pk}/return/", {"comment": "请补充上云企业名单"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.RETURNED

    # 3. The returned report waits in the liaison's workspace with the comment highlighted.
    client.force_login(liaison)
    page = client.get(f"/enterprises/{milestone.assignment.enterprise.code}/").content.decode()
    assert 'data-testid="returned-reports"' in page and "请补充上云企业名单" in page

    # 4. The liaison corrects it; it goes back into the queue.
    response = client.post(
        f"/reports/{report.pk}/edit/",
        report_post(progress="65", work_done="完成平台一期部署,附上云企业名单", version=report.version),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.PENDING and report.progress == 65

    # 5. SASAC accepts it, then verifies and closes the milestone.
    client.force_login(sasac)
    assert client.post(f"/reports/{report.pk}/accept/", {"comment": ""}).status_code == 302
    assert client.post(f"/milestones/{milestone.pk}/close/").status_code == 302
    report.refresh_from_db()
    milestone.refresh_from_db()
    assert report.review_state == ReviewState.ACCEPTED
    assert milestone.status == MilestoneStatus.CLOSED and milestone.closed_by == sasac

    # 6. The history on the milestone page shows every step, who did it, before and after.
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    for step in ["报送", "退回:请补充上云企业名单", "按退回意见修改后重新报送", "审核通过", "销号"]:
        assert step in page, step
    assert "已退回" in page and "待审核" in page and "已通过" in page  # review state before → after
    assert "进度(%)" in page  # Chinese field names
    assert liaison.username in page and sasac.username in page

    # 7. The evidence comes only through the checked view, never to another enterprise.
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
    response = client.post(f"/reports/{report.pk}/return/", {"comment": "  "}, follow=True)
    report.refresh_from_db()
    assert report.review_state == ReviewState.PENDING
    assert "退回报送须填写审核意见" in response.content.decode()


def test_accepted_report_is_immutable(client, liaison, sasac, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="启动")
    services.report_accept(report=report, by=sasac)
    client.force_login(liaison)
    response = client.post(f"/reports/{report.pk}/edit/", report_post(work_done="事后改写", version=report.version + 1))
    report.refresh_from_db()
    assert report.work_done == "启动"
    assert "该报送已审核通过,不能再修改" in response.content.decode()
    with pytest.raises(services.LedgerError):
        services.report_update(report=report, by=liaison, expected_version=None, work_done="再改")


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


def test_filing_an_older_month_does_not_override_the_newer_progress(liaison, milestone):
    from tests.progress.ledger_helpers import last_month

    newer = services.report_file(milestone=milestone, by=liaison, progress=70, work_done="本月")
    services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=40, work_done="补报上月")
    milestone.refresh_from_db()
    assert milestone.latest_report_id == newer.pk and milestone.progress == 70


def test_liaison_requests_closure_and_sasac_turns_it_down_with_a_reason(client, liaison, sasac, milestone):
    client.force_login(liaison)
    client.post(f"/milestones/{milestone.pk}/request-closure/")
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED
    client.force_login(sasac)
    client.post(f"/milestones/{milestone.pk}/reopen/", {"reason": ""})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CLOSURE_REQUESTED  # no reason, no change
    client.post(f"/milestones/{milestone.pk}/reopen/", {"reason": "佐证材料不足"})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN
    assert milestone.history.first().history_change_reason == "重新打开:佐证材料不足"


def test_request_closure_inline_returns_the_updated_row(client, liaison, milestone):
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/request-closure/", HTTP_HX_REQUEST="true")
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


def test_withdrawing_a_milestone_needs_a_reason_and_keeps_the_row(client, liaison, milestone):
    client.force_login(liaison)
    client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": ""})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN
    client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": "任务并入二期"})
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.WITHDRAWN and milestone.withdrawn_reason == "任务并入二期"
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_only_open_milestones_take_reports(liaison, sasac, milestone):
    services.milestone_close(milestone=milestone, by=sasac)
    with pytest.raises(services.LedgerError):
        services.report_file(milestone=milestone, by=liaison, progress=100, work_done="补报")


def test_reopening_a_closed_milestone_restores_the_progress_its_reports_show(liaison, sasac, milestone):
    services.report_file(milestone=milestone, by=liaison, progress=60, work_done="完成六成")
    services.milestone_close(milestone=milestone, by=sasac)
    milestone.refresh_from_db()
    assert milestone.progress == 100

    services.milestone_reopen(milestone=milestone, by=sasac, reason="验收未通过")

    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN and milestone.progress == 60


def test_reopening_a_closed_milestone_without_reports_goes_back_to_zero(sasac, milestone):
    services.milestone_close(milestone=milestone, by=sasac)
    services.milestone_reopen(milestone=milestone, by=sasac, reason="误销号")
    milestone.refresh_from_db()
    assert milestone.progress == 0


def test_report_form_refused_under_htmx_answers_in_the_modal(client, liaison, sasac, milestone):
    services.milestone_close(milestone=milestone, by=sasac)
    client.force_login(liaison)

    response = client.get(f"/milestones/{milestone.pk}/reports/new/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = response.content.decode()
    assert "只有进行中的时间节点可以报送进展" in page and "<html" not in page
