"""Reporting periods: a closed month refuses new and changed reports; a late report is marked, not dated back."""

import datetime

import pytest
from django.utils import timezone

from progress.models import ReminderRule, ReportingPeriod
from progress.services import ledger as services
from tests.progress.ledger_helpers import last_month, pdf, report_post


def close(month: datetime.date, by) -> None:
    ReportingPeriod.objects.update_or_create(month=month, defaults={"closed_at": timezone.now(), "closed_by": by})


def test_closed_period_refuses_a_new_report_with_a_clear_message(client, liaison, sasac, milestone):
    close(last_month(), sasac)
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/reports/new/", report_post(period=last_month().strftime("%Y-%m"))
    )
    assert response.status_code == 200
    assert "报送期已关账" in response.content.decode()
    assert not milestone.reports.exists()


def test_closed_period_refuses_edits_to_its_reports(client, liaison, sasac, milestone):
    report = services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=30, work_done="上月")
    close(last_month(), sasac)
    client.force_login(liaison)
    response = client.post(f"/reports/{report.pk}/edit/", report_post(work_done="关账后改写", version=report.version))
    assert "报送期已关账" in response.content.decode()
    report.refresh_from_db()
    assert report.work_done == "上月"
    with pytest.raises(services.LedgerError):
        services.report_update(report=report, by=liaison, expected_version=None, evidence_files=[pdf()])
    assert not report.evidence.exists()


def test_report_after_the_deadline_is_marked_late_and_keeps_its_time(liaison, milestone):
    long_ago = timezone.localdate().replace(day=1) - datetime.timedelta(days=70)
    report = services.report_file(
        milestone=milestone, by=liaison, period=long_ago.replace(day=1), progress=10, work_done="补报"
    )
    assert report.is_late is True
    assert timezone.localdate(report.submitted_at) == timezone.localdate()  # not dated back


def test_this_months_report_is_on_time(liaison, milestone):
    assert services.report_file(milestone=milestone, by=liaison, progress=10, work_done="按时").is_late is False


def test_deadline_follows_the_reminder_rule(db):
    assert services.report_deadline(datetime.date(2021, 1, 1)) == datetime.date(2021, 2, 28)  # 25 + 3 by default
    ReminderRule.objects.all().delete()
    ReminderRule.objects.create(report_day=5, report_grace_days=0)
    assert services.report_deadline(datetime.date(2021, 12, 1)) == datetime.date(2022, 1, 5)


def next_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def test_a_report_for_a_future_month_is_refused(liaison, milestone):
    """A future month would sort after every real report and override them all."""
    with pytest.raises(services.LedgerError, match="不能为未来月份"):
        services.report_file(milestone=milestone, by=liaison, period=next_month(), progress=90, work_done="预报")
    assert not milestone.reports.exists()


def test_the_report_form_refuses_a_future_month(client, liaison, milestone):
    client.force_login(liaison)

    response = client.post(
        f"/milestones/{milestone.pk}/reports/new/", report_post(period=next_month().strftime("%Y-%m"))
    )

    assert response.status_code == 200
    assert "不能为未来月份报送进展" in response.content.decode()
    assert not milestone.reports.exists()
