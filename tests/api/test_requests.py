"""Requests and decisions of the supervision workflow through the API (issue 9's rules): the
supervised never move their own commitments, closure is verified, leaders see accepted figures."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import Milestone, MilestoneRequest
from progress.services import ledger as services
from tests.progress.ledger_helpers import PDF_BYTES, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(enterprise, liaison, sasac):
    """The enterprise's plan is approved: its milestones are commitments."""
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="实施方案")
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    return services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)


def fresh(milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def test_an_extension_changes_nothing_until_sasac_approves_it(api_as, liaison, sasac, milestone, approved):
    due = milestone.due_date
    asked = due + datetime.timedelta(days=90)
    filed = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/requests/",
        {"kind": "extension", "reason": "合作方交付推迟", "due_date": asked.isoformat(), "version": 1},
        format="json",
    )
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert body["state"] == "pending" and body["kind_label"] == "延期申请"
    assert body["changes"][0]["original"] == due.isoformat() and body["changes"][0]["proposed"] == asked.isoformat()
    assert fresh(milestone).due_date == due
    seen = api_as(liaison).get(f"/api/v1/milestones/{milestone.pk}/").json()
    assert seen["pending_request"]["id"] == body["id"] and "cancel_request" in seen["actions"]

    approved_ = api_as(sasac).post(
        f"/api/v1/requests/{body['id']}/approve/", {"version": body["version"], "comment": "同意"}, format="json"
    )

    assert approved_.status_code == 200 and approved_.json()["state"] == "approved"
    moved = fresh(milestone)
    assert (moved.due_date, moved.original_due_date, moved.extension_count) == (asked, due, 1)
    listed = api_as(sasac).get("/api/v1/milestones/", {"extended": "true"}).json()
    assert [row["id"] for row in listed["results"]] == [milestone.pk]
    assert listed["results"][0]["original_due_date"] == due.isoformat()


def test_a_liaison_cannot_move_its_own_commitment_any_other_way(api_as, liaison, milestone, approved):
    api = api_as(liaison)
    url = f"/api/v1/milestones/{milestone.pk}/requests/"
    earlier = api.post(
        url,
        {"kind": "extension", "reason": "提前", "due_date": milestone.due_date.isoformat(), "version": 1},
        format="json",
    )
    assert earlier.status_code == 409 and "须晚于当前时间节点" in earlier.json()["detail"]
    sneaky = api.post(
        url,
        {"kind": "change", "reason": "调整", "due_date": "2099-01-01", "title": "新标题", "version": 1},
        format="json",
    )
    assert sneaky.status_code == 400 and sneaky.json()["field"] == "due_date"
    empty = api.post(url, {"kind": "change", "reason": "调整", "version": 1}, format="json")
    assert empty.status_code == 400
    assert not MilestoneRequest.objects.exists()
    assert fresh(milestone).due_date == milestone.due_date


def test_before_the_plan_is_approved_a_commitment_request_is_not_needed(api_as, liaison, milestone):
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/requests/",
        {"kind": "withdrawal", "reason": "合并", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert "无需申请" in response.json()["detail"]


def test_one_pending_request_at_a_time_and_the_liaison_may_take_it_back(api_as, liaison, milestone, approved):
    api = api_as(liaison)
    url = f"/api/v1/milestones/{milestone.pk}/requests/"
    first = api.post(url, {"kind": "withdrawal", "reason": "合并到其他节点", "version": 1}, format="json").json()
    second = api.post(url, {"kind": "withdrawal", "reason": "再次", "version": 1}, format="json")
    assert second.status_code == 409 and "待审批" in second.json()["detail"]
    cancelled = api.post(f"/api/v1/requests/{first['id']}/cancel/", {"version": first["version"]}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert fresh(milestone).status == "open"


def test_closure_is_verified_with_a_note_and_keeps_the_accepted_progress(api_as, liaison, sasac, milestone, approved):
    report = services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=80, work_done="x")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    asked = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/requests/",
        {
            "kind": "closure",
            "reason": "平台一期已上线",
            "version": fresh(milestone).version,
            "evidence": [SimpleUploadedFile("验收报告.pdf", PDF_BYTES)],
        },
        format="multipart",
    )
    assert asked.status_code == 201, asked.json()
    request = asked.json()
    assert [e["name"] for e in request["evidence"]] == ["验收报告.pdf"]
    assert fresh(milestone).status == "closure_requested"
    api = api_as(sasac)
    url = f"/api/v1/requests/{request['id']}/approve/"

    no_note = api.post(url, {"version": request["version"]}, format="json")
    assert no_note.status_code == 409 and "核验意见" in no_note.json()["detail"]
    short = api.post(url, {"version": request["version"], "comment": "经核验"}, format="json")
    assert short.status_code == 409 and "80%" in short.json()["detail"]
    closed = api.post(
        url,
        {"version": request["version"], "comment": "经核验,同意销号", "shortfall_reason": "二期并入新任务"},
        format="json",
    )

    assert closed.status_code == 200 and closed.json()["state"] == "approved"
    milestone = fresh(milestone)
    assert (milestone.status, milestone.progress) == ("closed", 80)


def test_closure_waits_for_pending_reports(api_as, liaison, sasac, milestone, approved):
    services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=100, work_done="完成")
    request = (
        api_as(liaison)
        .post(
            f"/api/v1/milestones/{milestone.pk}/requests/",
            {"kind": "closure", "reason": "已完成", "version": fresh(milestone).version},
            format="json",
        )
        .json()
    )
    response = api_as(sasac).post(
        f"/api/v1/requests/{request['id']}/approve/", {"version": request["version"], "comment": "核验"}, format="json"
    )
    assert response.status_code == 409 and "待审核的报送" in response.json()["detail"]
    assert fresh(milestone).status == "closure_requested"


def test_refusing_needs_a_comment_and_the_other_enterprise_sees_nothing(
    api_as, liaison, other_liaison, sasac, leader, milestone, approved
):
    request = (
        api_as(liaison)
        .post(
            f"/api/v1/milestones/{milestone.pk}/requests/",
            {"kind": "withdrawal", "reason": "合并", "version": 1},
            format="json",
        )
        .json()
    )
    assert api_as(other_liaison).get(f"/api/v1/requests/{request['id']}/").status_code == 404
    assert api_as(other_liaison).get("/api/v1/requests/").json()["count"] == 0
    assert api_as(leader).post(f"/api/v1/requests/{request['id']}/refuse/", {"version": 1}).status_code == 403
    api = api_as(sasac)
    bare = api.post(f"/api/v1/requests/{request['id']}/refuse/", {"version": 1}, format="json")
    assert bare.status_code == 409
    refused = api.post(
        f"/api/v1/requests/{request['id']}/refuse/", {"version": 1, "comment": "仍须按期完成"}, format="json"
    )
    assert refused.status_code == 200 and refused.json()["decision_comment"] == "仍须按期完成"
    assert fresh(milestone).status == "open"
    twice = api.post(f"/api/v1/requests/{request['id']}/approve/", {"version": 2, "comment": "x"}, format="json")
    assert twice.status_code == 409


def test_a_pending_figure_is_not_in_the_leaders_summary(api_as, liaison, sasac, leader, milestone):
    api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/", {"progress": 40, "work_done": "完成一半"}, format="json"
    )
    figures = api_as(leader).get("/api/v1/summary/").json()
    assert [row["average_progress"] for row in figures["enterprises"]] == [20.0]
    report = milestone.reports.get()
    api_as(sasac).post(f"/api/v1/reports/{report.pk}/accept/", {"version": report.version}, format="json")
    figures = api_as(leader).get("/api/v1/summary/").json()
    assert [row["average_progress"] for row in figures["enterprises"]] == [40.0]
