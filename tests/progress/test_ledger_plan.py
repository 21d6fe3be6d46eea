"""The implementation plan: draft -> submitted -> approved or returned; after approval, recorded revisions.

SASAC reads the whole plan before it decides, in the queue and on the workspace."""

import pytest

from progress.history_reasons import render_reason
from progress.models import ImplementationPlan, PlanStatus
from progress.services import ledger as services

PLAN = {"title": "青啤示范落实方案", "roadmap": "一期上云", "timetable": "2021年底完成", "responsibility": "总经理牵头"}


def test_liaison_drafts_submits_sasac_returns_liaison_resubmits_sasac_approves(client, liaison, sasac, enterprise):
    client.force_login(liaison)
    assert client.post(f"/enterprises/{enterprise.code}/plan/", PLAN).status_code == 302
    plan = ImplementationPlan.objects.get(enterprise=enterprise)
    assert plan.status == PlanStatus.DRAFT
    client.post(f"/enterprises/{enterprise.code}/plan/submit/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # Under review the liaison cannot change it.
    client.post(f"/enterprises/{enterprise.code}/plan/", {**PLAN, "title": "偷改", "version": plan.version})
    plan.refresh_from_db()
    assert plan.title == PLAN["title"]

    client.force_login(sasac)
    queue = client.get("/reviews/?tab=plans").content.decode()
    assert PLAN["roadmap"] in queue and PLAN["responsibility"] in queue  # read in place before deciding
    client.post(f"/enterprises/{enterprise.code}/plan/return/", {"comment": "", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED  # a return needs a comment
    client.post(f"/enterprises/{enterprise.code}/plan/return/", {"comment": "请细化时间表", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED and plan.review_comment == "请细化时间表"

    client.force_login(liaison)
    assert "请细化时间表" in client.get(f"/enterprises/{enterprise.code}/").content.decode()
    client.post(
        f"/enterprises/{enterprise.code}/plan/", {**PLAN, "timetable": "2021年6月、12月两步", "version": plan.version}
    )
    plan.refresh_from_db()
    client.post(f"/enterprises/{enterprise.code}/plan/submit/", {"version": plan.version})
    client.force_login(sasac)
    plan.refresh_from_db()
    client.post(f"/enterprises/{enterprise.code}/plan/approve/", {"comment": "同意", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.timetable == "2021年6月、12月两步"
    assert [render_reason(h.history_change_reason) for h in plan.history.order_by("history_date")][-3:] == [
        "",
        "提交审核",
        "批准:同意",
    ]


def approved_plan(enterprise, liaison, sasac) -> ImplementationPlan:
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, **PLAN)
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    return services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)


def test_after_approval_the_edit_page_files_a_change_request_and_nothing_changes(
    client, liaison, sasac, enterprise, milestone
):
    approved_plan(enterprise, liaison, sasac)
    with pytest.raises(services.LedgerError, match="变更申请"):
        services.milestone_update(milestone=milestone, by=liaison, expected_version=1, title="改名")

    client.force_login(liaison)
    data = {
        "title": "平台一期延至三季度",
        "description": "",
        "start_date": milestone.start_date.isoformat(),
        "responsible_person": "张伟",
        "version": 1,
    }
    response = client.post(f"/milestones/{milestone.pk}/edit/", data)
    assert response.status_code == 200 and "变更理由" in response.content.decode()  # the reason is required
    assert not milestone.requests.exists()

    client.post(f"/milestones/{milestone.pk}/edit/", {**data, "reason": "供应商交付推迟"})
    milestone.refresh_from_db()
    request = milestone.requests.get()
    assert (request.kind, request.state, request.proposed) == ("change", "pending", {"title": "平台一期延至三季度"})
    assert milestone.title != "平台一期延至三季度"  # nothing changes until SASAC approves
    assert ImplementationPlan.objects.get(enterprise=enterprise).revision == 0


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
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    client.force_login(liaison)
    assert client.post(f"/enterprises/{enterprise.code}/plan/approve/", {"version": plan.version}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_second_click_on_new_milestone_adds_it_once(client, liaison, assignment):
    client.force_login(liaison)
    data = {
        "title": "上线设备联网平台",
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
        "responsible_person": "王工",
        "description": "",
    }
    first = client.post(f"/assignments/{assignment.pk}/milestones/new/", data)
    second = client.post(f"/assignments/{assignment.pk}/milestones/new/", data)
    assert first.status_code == 302
    assert second.status_code == 200 and "已有同名时间节点" in second.content.decode()
    assert assignment.milestones.filter(title="上线设备联网平台").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_make_one_plan_and_no_error(liaison, enterprise):
    """A second click while the first save is still committing waits for it, then meets the
    version conflict the page explains (the user's text stays in the form), not a server error."""
    import threading

    from django.db import connection, transaction

    first_saved, outcome = threading.Event(), {}

    def second_click():
        try:
            outcome["plan"] = services.plan_save(
                enterprise=enterprise, by=liaison, expected_version=None, **(PLAN | {"roadmap": "二期"})
            )
        except Exception as error:  # noqa: BLE001 - the test reports whatever the second click met
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, **PLAN)
        thread = threading.Thread(target=second_click)
        thread.start()
        first_saved.wait(0.5)  # the second click reaches the database while this one is open
    thread.join(10)

    assert isinstance(outcome.get("error"), services.VersionConflict), outcome
    assert ImplementationPlan.objects.filter(enterprise=enterprise).count() == 1
