"""Once a plan is approved, the supervised never move their own commitments: extensions, changes
and withdrawals are requests SASAC decides, and the original commitment stays visible."""

import datetime
import io

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from progress.health import health_of
from progress.history_reasons import render_reason
from progress.models import (
    ImplementationPlan,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    Notification,
    NotificationKind,
)
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
@pytest.fixture
def overdue(assignment):
    """Overdue since last week: red on the board."""
    return factories.MilestoneFactory(
        assignment=assignment, title="建成酿造平台", start_date=TODAY - 90 * DAY, due_date=TODAY - 7 * DAY
    )


def fresh(milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def test_a_liaison_posting_a_new_due_date_to_the_edit_form_after_approval_changes_nothing(
    client, liaison, approved, overdue
):
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{overdue.pk}/edit/",
        {
            "title": overdue.title,
            "description": "",
            "start_date": overdue.start_date.isoformat(),
            "due_date": (TODAY + 365 * DAY).isoformat(),
            "responsible_person": overdue.responsible_person,
            "reason": "想延期",
            "version": overdue.version,
        },
    )
    assert response.status_code == 200
    assert "时间节点的调整须提交延期申请" in response.content.decode()
    milestone = fresh(overdue)
    assert milestone.due_date == TODAY - 7 * DAY and health_of(milestone) == "red"
    assert not MilestoneRequest.objects.exists()
    with pytest.raises(services.LedgerError):
        services.milestone_update(
            milestone=milestone, by=liaison, expected_version=milestone.version, due_date=TODAY + 365 * DAY
        )


def test_an_extension_changes_nothing_until_sasac_approves_and_keeps_the_original_beside_it(
    client, liaison, sasac, approved, overdue
):
    client.force_login(liaison)
    new_due = TODAY + 60 * DAY
    response = client.post(
        f"/milestones/{overdue.pk}/request-extension/",
        {"due_date": new_due.isoformat(), "reason": "设备供应商交付推迟两个月", "version": overdue.version},
    )
    assert response.status_code == 302
    request = MilestoneRequest.objects.get()
    assert (request.kind, request.state, request.original, request.proposed) == (
        "extension",
        "pending",
        {"due_date": overdue.due_date.isoformat()},
        {"due_date": new_due.isoformat()},
    )
    milestone = fresh(overdue)
    assert milestone.due_date == overdue.due_date and health_of(milestone) == "red"  # still red, still due
    # SASAC is told and finds it in its queue.
    assert Notification.objects.filter(recipient=sasac, kind=NotificationKind.REQUEST_FILED).exists()
    client.force_login(sasac)
    assert "设备供应商交付推迟两个月" in client.get("/reviews/?tab=requests").content.decode()

    response = client.post(f"/requests/{request.pk}/approve/", {"comment": "同意,请倒排工期", "version": 1})
    assert response.status_code == 302
    milestone = fresh(overdue)
    assert (milestone.due_date, milestone.original_due_date, milestone.extension_count) == (
        new_due,
        overdue.due_date,
        1,
    )
    assert health_of(milestone) != "red"
    assert ImplementationPlan.objects.get().revision == 1  # the approved timetable changed, recorded
    notice = Notification.objects.get(recipient=liaison, kind=NotificationKind.REQUEST_DECIDED)
    assert "同意,请倒排工期" in notice.body
    record = milestone.history.first()
    assert (
        record.history_user == sasac and render_reason(record.history_change_reason) == "同意延期申请:同意,请倒排工期"
    )
    page = client.get(f"/milestones/{overdue.pk}/").content.decode()
    assert f"原定 {overdue.due_date.isoformat()}" in page and "已延期 1 次" in page


def test_a_refused_extension_keeps_the_commitment_and_needs_a_comment(client, liaison, sasac, approved, overdue):
    request = request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="extension",
        reason="人手不足",
        changes={"due_date": TODAY + 30 * DAY},
        expected_version=overdue.version,
    )
    client.force_login(sasac)
    client.post(f"/requests/{request.pk}/refuse/", {"comment": "", "version": request.version})
    assert MilestoneRequest.objects.get().state == "pending"  # a refusal says why
    client.post(f"/requests/{request.pk}/refuse/", {"comment": "理由不充分", "version": request.version})
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_comment) == ("refused", sasac, "理由不充分")
    milestone = fresh(overdue)
    assert (milestone.due_date, milestone.extension_count) == (overdue.due_date, 0)
    assert "理由不充分" in Notification.objects.get(recipient=liaison, kind=NotificationKind.REQUEST_DECIDED).body


@pytest.mark.parametrize(("days", "accepted"), [(-1, False), (0, False), (1, True)])
def test_an_extension_must_move_the_due_date_later(liaison, approved, overdue, days, accepted):
    call = {
        "milestone": overdue,
        "by": liaison,
        "kind": "extension",
        "reason": "延期",
        "changes": {"due_date": overdue.due_date + days * DAY},
        "expected_version": overdue.version,
    }
    if accepted:
        assert request_services.request_file(**call).state == "pending"
    else:
        with pytest.raises(services.LedgerError, match="须晚于当前时间节点"):
            request_services.request_file(**call)


def test_a_liaison_cannot_withdraw_an_overdue_milestone_itself_after_approval(
    client, liaison, sasac, approved, overdue
):
    client.force_login(liaison)
    client.post(f"/milestones/{overdue.pk}/withdraw/", {"reason": "不想做了", "version": overdue.version})
    milestone = fresh(overdue)
    assert milestone.status == MilestoneStatus.OPEN and health_of(milestone) == "red"  # still counted overdue
    request = MilestoneRequest.objects.get()
    assert request.kind == "withdrawal"
    with pytest.raises(services.LedgerError, match="撤销申请"):
        services.milestone_withdraw(milestone=milestone, by=liaison, reason="绕过", expected_version=milestone.version)

    client.force_login(sasac)
    client.post(f"/requests/{request.pk}/approve/", {"comment": "", "version": request.version})
    milestone = fresh(overdue)
    assert (milestone.status, milestone.withdrawn_reason) == (MilestoneStatus.WITHDRAWN, "不想做了")


def test_an_approved_change_applies_what_was_asked_and_nothing_else(client, liaison, sasac, approved, overdue):
    request = request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="change",
        reason="责任人调岗",
        changes={
            "title": overdue.title,
            "description": "",
            "start_date": overdue.start_date,
            "responsible_person": "李娜",
        },
        expected_version=overdue.version,
    )
    assert request.proposed == {"responsible_person": "李娜"}  # only what changes
    request_services.request_decide(request=request, by=sasac, approve=True, comment="", expected_version=1)
    milestone = fresh(overdue)
    assert (milestone.responsible_person, milestone.due_date, milestone.title) == (
        "李娜",
        overdue.due_date,
        overdue.title,
    )
    with pytest.raises(services.LedgerError, match="延期申请"):
        request_services.request_file(
            milestone=milestone,
            by=liaison,
            kind="change",
            reason="顺便改日期",
            changes={"due_date": TODAY + 99 * DAY},
            expected_version=milestone.version,
        )


def test_one_request_waits_at_a_time(client, liaison, approved, overdue):
    request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="extension",
        reason="延期",
        changes={"due_date": TODAY + 30 * DAY},
        expected_version=overdue.version,
    )
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{overdue.pk}/withdraw/", {"reason": "撤销", "version": overdue.version}, follow=True
    )
    assert "已有待审批的延期申请" in response.content.decode()
    assert MilestoneRequest.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        factories.MilestoneRequestFactory(milestone=overdue, kind="withdrawal")


def test_the_liaison_takes_back_its_own_request_and_no_one_else_can(
    client, liaison, other_liaison, sasac, leader, approved, overdue
):
    request = request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="extension",
        reason="延期",
        changes={"due_date": TODAY + 30 * DAY},
        expected_version=overdue.version,
    )
    for user, status in ((other_liaison, 404), (sasac, 403), (leader, 403)):
        client.force_login(user)
        assert client.post(f"/requests/{request.pk}/cancel/", {"version": 1}).status_code == status
    client.force_login(liaison)
    client.post(f"/requests/{request.pk}/cancel/", {"version": 1})
    assert MilestoneRequest.objects.get().state == "cancelled"


def test_the_liaison_and_a_leader_cannot_decide_and_a_decision_is_taken_once(
    client, liaison, leader, sasac, approved, overdue
):
    request = request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="extension",
        reason="延期",
        changes={"due_date": TODAY + 30 * DAY},
        expected_version=overdue.version,
    )
    for user in (liaison, leader):
        client.force_login(user)
        assert client.post(f"/requests/{request.pk}/approve/", {"version": 1, "comment": "自批"}).status_code == 403
    assert fresh(overdue).due_date == overdue.due_date
    client.force_login(sasac)
    client.post(f"/requests/{request.pk}/approve/", {"version": 1})
    response = client.post(f"/requests/{request.pk}/refuse/", {"version": 2, "comment": "再决定一次"}, follow=True)
    assert "该申请当前为“已同意”,不能不同意" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "approved" and fresh(overdue).extension_count == 1


def test_before_the_plan_is_approved_the_liaison_edits_and_no_request_is_needed(liaison, overdue):
    with pytest.raises(services.LedgerError, match="无需申请"):
        request_services.request_file(
            milestone=overdue,
            by=liaison,
            kind="extension",
            reason="延期",
            changes={"due_date": TODAY + 30 * DAY},
            expected_version=overdue.version,
        )
    milestone = services.milestone_update(
        milestone=overdue, by=liaison, expected_version=overdue.version, due_date=TODAY + 30 * DAY
    )
    assert milestone.original_due_date == milestone.due_date == TODAY + 30 * DAY  # not yet a commitment


def test_the_board_shows_the_original_due_date_and_filters_extended_milestones(client, sasac, leader, enterprise):
    extended = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="延期过的节点",
        due_date=TODAY + 90 * DAY,
        original_due_date=TODAY + 30 * DAY,
        extension_count=2,
    )
    factories.MilestoneFactory(assignment__enterprise=enterprise, title="按期的节点")
    client.force_login(leader)
    body = client.get("/board/?extended=true").content.decode()
    assert extended.title in body and "按期的节点" not in body
    assert f"原定 {(TODAY + 30 * DAY).isoformat()}" in body and "延期 2 次" in body
    client.force_login(sasac)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/board/export.xlsx?extended=true").content)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[6:9] == ("时间节点", "原定时间节点", "延期次数")
    assert (row[6].date(), row[7].date(), row[8]) == (TODAY + 90 * DAY, TODAY + 30 * DAY, 2)
