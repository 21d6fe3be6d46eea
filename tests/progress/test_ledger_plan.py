"""The implementation plan: draft -> submitted -> approved or returned; after approval, recorded revisions."""

import pytest

from progress.models import ImplementationPlan, PlanStatus
from progress.services import ledger as services

PLAN = {"title": "青啤示范落实方案", "roadmap": "一期上云", "timetable": "2021年底完成", "responsibility": "总经理牵头"}


def test_liaison_drafts_submits_sasac_returns_liaison_resubmits_sasac_approves(client, liaison, sasac, enterprise):
    client.force_login(liaison)
    assert client.post(f"/enterprises/{enterprise.code}/plan/", PLAN).status_code == 302
    plan = ImplementationPlan.objects.get(enterprise=enterprise)
    assert plan.status == PlanStatus.DRAFT
    client.post(f"/enterprises/{enterprise.code}/plan/submit/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # Under review the liaison cannot change it.
    client.post(f"/enterprises/{enterprise.code}/plan/", {**PLAN, "title": "偷改", "version": plan.version})
    plan.refresh_from_db()
    assert plan.title == PLAN["title"]

    client.force_login(sasac)
    client.post(f"/enterprises/{enterprise.code}/plan/return/", {"comment": ""})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED  # a return needs a comment
    client.post(f"/enterprises/{enterprise.code}/plan/return/", {"comment": "请细化时间表"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED and plan.review_comment == "请细化时间表"

    client.force_login(liaison)
    assert "请细化时间表" in client.get(f"/enterprises/{enterprise.code}/").content.decode()
    client.post(
        f"/enterprises/{enterprise.code}/plan/", {**PLAN, "timetable": "2021年6月、12月两步", "version": plan.version}
    )
    client.post(f"/enterprises/{enterprise.code}/plan/submit/")
    client.force_login(sasac)
    client.post(f"/enterprises/{enterprise.code}/plan/approve/", {"comment": "同意"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.timetable == "2021年6月、12月两步"
    assert [h.history_change_reason for h in plan.history.order_by("history_date")][-3:] == [None, "提交审核", "批准"]


def approved_plan(enterprise, liaison, sasac) -> ImplementationPlan:
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, **PLAN)
    services.plan_submit(plan=plan, by=liaison)
    return services.plan_approve(plan=plan, by=sasac)


def test_after_approval_a_milestone_change_needs_a_revision_note_and_is_recorded(
    client, liaison, sasac, enterprise, milestone
):
    approved_plan(enterprise, liaison, sasac)
    with pytest.raises(services.LedgerError):
        services.milestone_update(milestone=milestone, by=liaison, expected_version=1, title="改名")

    client.force_login(liaison)
    data = {
        "title": "平台一期延至三季度",
        "description": "",
        "start_date": milestone.start_date.isoformat(),
        "due_date": milestone.due_date.isoformat(),
        "responsible_person": "张伟",
        "version": 1,
    }
    response = client.post(f"/milestones/{milestone.pk}/edit/", data)
    assert response.status_code == 200 and "修订说明" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title != "平台一期延至三季度"

    client.post(f"/milestones/{milestone.pk}/edit/", {**data, "revision_note": "供应商交付推迟"})
    milestone.refresh_from_db()
    plan = ImplementationPlan.objects.get(enterprise=enterprise)
    assert milestone.title == "平台一期延至三季度"
    assert milestone.history.first().history_change_reason == "供应商交付推迟"
    assert plan.revision == 1 and plan.status == PlanStatus.APPROVED
    assert "供应商交付推迟" in plan.history.first().history_change_reason


def test_after_approval_a_new_milestone_also_counts_as_a_revision(liaison, sasac, enterprise, assignment):
    approved_plan(enterprise, liaison, sasac)
    fields = {
        "title": "二期",
        "start_date": assignment.due_date.replace(year=2021),
        "due_date": assignment.due_date,
        "responsible_person": "王强",
    }
    with pytest.raises(services.LedgerError):
        services.milestone_create(assignment=assignment, by=liaison, **fields)
    services.milestone_create(assignment=assignment, by=liaison, revision_note="新增二期节点", **fields)
    assert ImplementationPlan.objects.get(enterprise=enterprise).revision == 1


def test_liaison_cannot_approve_own_plan(client, liaison, enterprise):
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, **PLAN)
    services.plan_submit(plan=plan, by=liaison)
    client.force_login(liaison)
    assert client.post(f"/enterprises/{enterprise.code}/plan/approve/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
