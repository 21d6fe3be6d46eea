"""Everyone who must act next is told, in-app and by mail, once: SASAC of what waits for its decision,
the liaisons of what SASAC decided."""

import datetime

import pytest
from django.core import mail

from progress.models import Delivery, Notification, NotificationKind
from progress.reminders import delivery
from progress.services import ledger as services
from progress.services import notices
from progress.services import requests as request_services
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def colleague(enterprise):
    """A second liaison of the same enterprise: told too."""
    return factories.liaison_user(enterprise, username="liaison-qdbeer-2")


def told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_each_event_tells_the_party_that_acts_next(liaison, colleague, sasac, leader, other_liaison, milestone):
    enterprise = milestone.assignment.enterprise
    liaisons = {liaison.username, colleague.username}

    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="方案")
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    assert told(NotificationKind.PLAN_SUBMITTED) == {sasac.username}
    plan = services.plan_return(plan=plan, by=sasac, comment="请细化", expected_version=plan.version)
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    assert told(NotificationKind.PLAN_DECIDED) == liaisons
    assert Notification.objects.filter(kind=NotificationKind.PLAN_DECIDED).count() == 4  # returned, then approved

    report = services.report_file(milestone=milestone, by=liaison, progress=50, work_done="五成")
    report = services.report_return(report=report, by=sasac, comment="补材料", expected_version=report.version)
    assert told(NotificationKind.REPORT_RETURNED) == liaisons
    report = services.report_update(report=report, by=liaison, expected_version=report.version, work_done="已补")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    assert told(NotificationKind.REPORT_ACCEPTED) == liaisons

    milestone.refresh_from_db()
    extension = request_services.request_file(
        milestone=milestone,
        by=liaison,
        kind="extension",
        reason="设备延期",
        changes={"due_date": milestone.due_date + 30 * DAY},
        expected_version=milestone.version,
    )
    assert told(NotificationKind.REQUEST_FILED) == {sasac.username}
    request_services.request_decide(request=extension, by=sasac, approve=False, comment="不同意", expected_version=1)
    assert told(NotificationKind.REQUEST_DECIDED) == liaisons

    milestone.refresh_from_db()
    closure = request_services.request_file(
        milestone=milestone, by=liaison, kind="closure", reason="完成", expected_version=milestone.version
    )
    assert told(NotificationKind.CLOSURE_REQUESTED) == {sasac.username}
    request_services.request_decide(
        request=closure, by=sasac, approve=True, comment="核验通过", shortfall_reason="二期续作", expected_version=1
    )
    assert told(NotificationKind.CLOSURE_DECIDED) == liaisons

    milestone.refresh_from_db()
    services.milestone_reopen(milestone=milestone, by=sasac, reason="复核发现问题", expected_version=milestone.version)
    assert told(NotificationKind.MILESTONE_REOPENED) == liaisons
    # Leaders and other enterprises hear nothing of it.
    assert not Notification.objects.filter(recipient__in=[leader, other_liaison]).exists()


def test_the_notice_goes_by_mail_too_and_only_once(
    liaison, sasac, milestone, queued, django_capture_on_commit_callbacks
):
    report = services.report_file(milestone=milestone, by=liaison, progress=50, work_done="五成")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, by=sasac, comment="补材料", expected_version=report.version)
    [(_task, [delivery_id], _queue)] = queued
    assert Delivery.objects.get(pk=delivery_id).notification.recipient == liaison
    delivery.deliver(delivery_id=delivery_id)
    [message] = mail.outbox
    assert message.to == [liaison.email] and "补材料" in message.body and milestone.title in message.body
    # The same event told again (a retried call) adds nothing.
    report.refresh_from_db()
    notices.report_reviewed(report)
    assert Notification.objects.filter(kind=NotificationKind.REPORT_RETURNED).count() == 1


def test_notices_are_written_in_the_products_language_whatever_the_actors(client, liaison, sasac, milestone):
    client.force_login(liaison)
    client.cookies["django_language"] = "en"
    report = services.report_file(milestone=milestone, by=liaison, progress=50, work_done="五成")
    client.force_login(sasac)
    client.post(f"/reports/{report.pk}/return/", {"comment": "Please add evidence", "version": report.version})
    notice = Notification.objects.get(kind=NotificationKind.REPORT_RETURNED)
    assert notice.subject.startswith("【报送被退回】") and "Please add evidence" in notice.body
