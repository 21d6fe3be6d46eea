"""Every workflow form carries the row version it was built from: a POST that omits it or sends a
false one is a conflict and changes nothing. And whatever text the forms allow stores on
PostgreSQL, history included."""

import datetime

import pytest

from progress.forms.bounds import TEXT_MAX_CHARS
from progress.history_reasons import render_reason
from progress.models import ImplementationPlan, Milestone, MilestoneRequest, ProgressReport
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories
from tests.progress.ledger_helpers import close_milestone, report_post

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PLAN = {"title": "方案", "roadmap": "路线", "timetable": "时间", "responsibility": "责任"}


def approve_plan(enterprise, liaison, sasac):
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, **PLAN)
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    return services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)


def pending_request(milestone, liaison, kind="extension"):
    milestone.refresh_from_db()
    changes = {"due_date": milestone.due_date + 30 * DAY} if kind == "extension" else None
    return request_services.request_file(
        milestone=milestone, by=liaison, kind=kind, reason="理由", changes=changes, expected_version=milestone.version
    )


def snapshot(milestone) -> tuple:
    """Everything a workflow form could change, to compare before and after a refused POST."""
    return (
        tuple(Milestone.objects.filter(pk=milestone.pk).values_list("title", "due_date", "status", "version").get()),
        tuple(ProgressReport.objects.order_by("pk").values_list("pk", "review_state", "work_done", "version")),
        tuple(MilestoneRequest.objects.order_by("pk").values_list("pk", "state", "version")),
        tuple(ImplementationPlan.objects.order_by("pk").values_list("status", "title", "version")),
    )


def case_milestone_edit(w):
    m = w["milestone"]
    fields = {"title": "改名", "description": "", "start_date": m.start_date, "due_date": m.due_date}
    return w["liaison"], f"/milestones/{m.pk}/edit/", {**fields, "responsible_person": "张伟"}


def case_change_request(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    m = w["milestone"]
    data = {
        "title": "改名",
        "description": "",
        "start_date": m.start_date,
        "responsible_person": "张伟",
        "reason": "调",
    }
    return w["liaison"], f"/milestones/{m.pk}/edit/", data


def case_extension_request(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    m = w["milestone"]
    return w["liaison"], f"/milestones/{m.pk}/request-extension/", {"due_date": m.due_date + DAY, "reason": "延"}


def case_closure_request(w):
    return w["liaison"], f"/milestones/{w['milestone'].pk}/request-closure/", {"reason": "完成"}


def case_withdraw(w):
    return w["liaison"], f"/milestones/{w['milestone'].pk}/withdraw/", {"reason": "合并"}


def case_withdrawal_request(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    return w["liaison"], f"/milestones/{w['milestone'].pk}/withdraw/", {"reason": "合并"}


def case_report_edit(w):
    return w["liaison"], f"/reports/{w['report'].pk}/edit/", report_post(work_done="改写")


def case_report_accept(w):
    return w["sasac"], f"/reports/{w['report'].pk}/accept/", {"comment": ""}


def case_report_return(w):
    return w["sasac"], f"/reports/{w['report'].pk}/return/", {"comment": "退回"}


def case_plan_save(w):
    services.plan_save(enterprise=w["enterprise"], by=w["liaison"], expected_version=None, **PLAN)
    return w["liaison"], f"/enterprises/{w['enterprise'].code}/plan/", {**PLAN, "title": "偷改"}


def case_plan_submit(w):
    services.plan_save(enterprise=w["enterprise"], by=w["liaison"], expected_version=None, **PLAN)
    return w["liaison"], f"/enterprises/{w['enterprise'].code}/plan/submit/", {}


def case_plan_approve(w):
    plan = services.plan_save(enterprise=w["enterprise"], by=w["liaison"], expected_version=None, **PLAN)
    services.plan_submit(plan=plan, by=w["liaison"], expected_version=plan.version)
    return w["sasac"], f"/enterprises/{w['enterprise'].code}/plan/approve/", {"comment": ""}


def case_plan_return(w):
    plan = services.plan_save(enterprise=w["enterprise"], by=w["liaison"], expected_version=None, **PLAN)
    services.plan_submit(plan=plan, by=w["liaison"], expected_version=plan.version)
    return w["sasac"], f"/enterprises/{w['enterprise'].code}/plan/return/", {"comment": "退回"}


def case_request_approve(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    request = pending_request(w["milestone"], w["liaison"])
    return w["sasac"], f"/requests/{request.pk}/approve/", {"comment": "同意"}


def case_request_refuse(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    request = pending_request(w["milestone"], w["liaison"])
    return w["sasac"], f"/requests/{request.pk}/refuse/", {"comment": "不同意"}


def case_request_cancel(w):
    approve_plan(w["enterprise"], w["liaison"], w["sasac"])
    request = pending_request(w["milestone"], w["liaison"])
    return w["liaison"], f"/requests/{request.pk}/cancel/", {}


def case_close(w):
    services.report_accept(report=w["report"], by=w["sasac"], expected_version=w["report"].version)
    pending_request(w["milestone"], w["liaison"], kind="closure")
    return w["sasac"], f"/milestones/{w['milestone'].pk}/close/", {"comment": "核验", "shortfall_reason": "可"}


def case_reopen(w):
    services.report_accept(report=w["report"], by=w["sasac"], expected_version=w["report"].version)
    close_milestone(w["milestone"], liaison=w["liaison"], sasac=w["sasac"])
    return w["sasac"], f"/milestones/{w['milestone'].pk}/reopen/", {"reason": "复核"}


CASES = [value for name, value in sorted(globals().items()) if name.startswith("case_")]


@pytest.fixture
def world(enterprise, liaison, sasac):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise, title="节点")
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
    return {"enterprise": enterprise, "liaison": liaison, "sasac": sasac, "milestone": milestone, "report": report}


@pytest.mark.parametrize("version", [None, "0", "999"], ids=["omitted", "stale", "future"])
@pytest.mark.parametrize("case", CASES, ids=[case.__name__[5:] for case in CASES])
def test_a_post_without_the_true_version_changes_nothing(client, world, case, version):
    user, url, data = case(world)
    before = snapshot(world["milestone"])
    if version is not None:
        data = {**data, "version": version}
    client.force_login(user)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    # A stale version is a conflict; a form without one cannot tell and says so.
    assert "他人已修改了这条记录" in page or (version is None and "这张表单缺少版本信息" in page)
    assert snapshot(world["milestone"]) == before


def test_a_reason_as_long_as_the_form_allows_is_stored_with_its_history(client, liaison, sasac, enterprise):
    """simple_history's change reason used to be 100 characters: a longer reason was a server error."""
    approve_plan(enterprise, liaison, sasac)
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    longest = "因" * TEXT_MAX_CHARS
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": longest, "version": milestone.version})
    assert response.status_code == 302
    request = MilestoneRequest.objects.get()
    assert request.reason == longest
    client.force_login(sasac)
    response = client.post(f"/requests/{request.pk}/refuse/", {"comment": longest, "version": request.version})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.decision_comment == longest
    assert render_reason(request.history.first().history_change_reason) == f"不同意撤销申请:{longest}"


def test_a_reason_longer_than_the_form_allows_or_with_a_nul_byte_is_refused_plainly(client, liaison, milestone):
    client.force_login(liaison)
    for reason, message in (("因" * (TEXT_MAX_CHARS + 1), f"最多 {TEXT_MAX_CHARS} 个字符"), ("撤销\x00原因", "空字符")):
        response = client.post(
            f"/milestones/{milestone.pk}/withdraw/", {"reason": reason, "version": milestone.version}, follow=True
        )
        assert response.status_code == 200 and message in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == "open" and milestone.history.count() == 1


def test_a_long_report_review_comment_is_stored(client, sasac, liaison, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=10, work_done="甲")
    client.force_login(sasac)
    comment = "请补充" * 600
    response = client.post(f"/reports/{report.pk}/return/", {"comment": comment, "version": report.version})
    assert response.status_code == 302
    assert render_reason(ProgressReport.history.filter(id=report.pk).first().history_change_reason) == f"退回:{comment}"
