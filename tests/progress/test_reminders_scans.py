"""Scans: what a scan reports is what it inserted, a failed scan leaves nothing half done, and a day
whose scan never completed is made up by the next run or the sweep."""

import datetime
import threading
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError, connection
from django_celery_beat.models import PeriodicTask

from progress.models import Delivery, Notification, ReminderScan
from progress.reminders import outbox, tasks
from tests import factories

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCAN_DAY = D(2026, 6, 3)  # a Wednesday; milestones due 06-10 get their 7-day reminder


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def due_milestones(enterprise, liaison):
    factories.liaison_user(enterprise, username="liaison-2")
    return [
        factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 6, 10))
        for _ in range(3)
    ]


def test_a_scan_reports_what_it_inserted_and_records_itself(due_milestones):
    first = outbox.run_scan(today=SCAN_DAY, queue=False)
    assert (len(first.planned), len(first.created), len(first.delivery_ids)) == (6, 6, 6)
    second = outbox.run_scan(today=SCAN_DAY, queue=False)
    assert (len(second.planned), len(second.created), len(second.delivery_ids)) == (6, 0, 0)
    record = ReminderScan.objects.get()
    assert (record.kind, record.day, record.notices, record.deliveries) == ("daily", SCAN_DAY, 6, 6)


def test_a_scan_that_fails_in_its_transaction_leaves_nothing_and_is_made_up(due_milestones):
    real = outbox._record_scan

    def database_goes_away(*args):
        raise OperationalError("terminating connection due to administrator command")

    with mock.patch.object(outbox, "_record_scan", database_goes_away), pytest.raises(OperationalError):
        outbox.run_scan(today=SCAN_DAY, queue=False)
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert not ReminderScan.objects.exists()
    with mock.patch.object(outbox, "_record_scan", real):
        assert outbox.missed_scans(now=at(SCAN_DAY, 9)) == [("daily", SCAN_DAY)]
        [result] = outbox.catch_up(now=at(SCAN_DAY, 9))
    assert len(result.created) == 6
    assert outbox.missed_scans(now=at(SCAN_DAY, 9)) == []


def test_the_scan_task_retries_when_the_database_is_down(due_milestones):
    real = outbox.run_scan
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return real(**kwargs)

    with mock.patch.object(outbox, "run_scan", flaky), mock.patch.object(outbox, "catch_up", return_value=[]):
        result = tasks.run_reminder_scan.apply(args=[SCAN_DAY.isoformat()])
    assert result.successful() and result.get() == 6
    assert len(calls) == 2
    assert Notification.objects.count() == 6


def test_nothing_is_made_up_before_the_scheduled_time(due_milestones):
    assert outbox.missed_scans(now=at(SCAN_DAY, 8, 29)) == []
    assert outbox.missed_scans(now=at(SCAN_DAY, 8, 30)) == [("daily", SCAN_DAY)]


def test_days_since_the_last_completed_scan_are_made_up_oldest_first(due_milestones):
    ReminderScan.objects.create(kind="daily", day=D(2026, 5, 31))
    missed = outbox.missed_scans(now=at(SCAN_DAY, 10))
    assert missed == [("daily", D(2026, 6, 1)), ("daily", D(2026, 6, 2)), ("daily", SCAN_DAY)]


def test_making_up_looks_back_a_week_at_most(due_milestones):
    ReminderScan.objects.create(kind="daily", day=D(2026, 4, 1))
    missed = outbox.missed_scans(now=at(SCAN_DAY, 10))
    assert missed[0] == ("daily", SCAN_DAY - datetime.timedelta(days=outbox.CATCH_UP_DAYS))
    assert len(missed) == outbox.CATCH_UP_DAYS + 1


def test_a_missed_monday_digest_is_made_up_too(due_milestones, sasac):
    monday = D(2026, 6, 1)
    ReminderScan.objects.create(kind="daily", day=monday)
    ReminderScan.objects.create(kind="daily", day=D(2026, 6, 2))
    ReminderScan.objects.create(kind="digest", day=D(2026, 5, 25))
    assert ("digest", monday) in outbox.missed_scans(now=at(D(2026, 6, 2), 10))


def test_a_schedule_disabled_in_beat_is_not_made_up(due_milestones):
    PeriodicTask.objects.filter(task="progress.tasks.run_reminder_scan").update(enabled=False)
    assert outbox.missed_scans(now=at(SCAN_DAY, 10)) == []


def test_the_sweep_makes_up_a_missed_day_once(due_milestones, queued):
    with mock.patch("django.utils.timezone.now", return_value=at(SCAN_DAY, 10).astimezone(datetime.UTC)):
        tasks.send_pending_deliveries()
        tasks.send_pending_deliveries()
    assert Notification.objects.count() == 6
    assert ReminderScan.objects.get().day == SCAN_DAY


def test_the_daily_scan_makes_up_the_days_before_it(due_milestones):
    ReminderScan.objects.create(kind="daily", day=D(2026, 6, 1))
    with mock.patch("django.utils.timezone.now", return_value=at(SCAN_DAY, 8, 30).astimezone(datetime.UTC)):
        made = tasks.run_reminder_scan()
    assert made == 6  # 06-02 made nothing (its reminders are not due then); 06-03 made six
    assert set(ReminderScan.objects.values_list("day", flat=True)) == {D(2026, 6, 1), D(2026, 6, 2), SCAN_DAY}


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_scans_report_what_each_inserted(enterprise, liaison):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    for n in range(4):
        factories.liaison_user(enterprise, username=f"liaison-c{n}")
    for _ in range(20):
        factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 6, 10))
    results, errors = [], []
    start = threading.Barrier(4)

    def scan():
        try:
            start.wait()
            results.append(outbox.run_scan(today=SCAN_DAY, queue=False))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    total = Notification.objects.count()
    assert total == 20 * 5
    assert sum(len(result.created) for result in results) == total
    assert sum(len(result.delivery_ids) for result in results) == Delivery.objects.count() == total
    assert ReminderScan.objects.get().notices == total
