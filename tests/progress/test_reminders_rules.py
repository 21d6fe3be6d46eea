"""The reminder rules at their date boundaries, on China's official calendar."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from progress.models import MilestoneStatus, Notification, NotificationKind, ReminderRule, ReminderScan, Urge
from progress.reminders import outbox, schedule, tasks
from progress.reminders.workdays import days_landing_on, is_working_day, working_day_on_or_before
from tests import factories

D = datetime.date
UTC = datetime.UTC

# 2026-06-10 is a Wednesday; 06-07 (offset 3) is a Sunday; 06-19 is the Dragon Boat Festival.
DUE = D(2026, 6, 10)


@pytest.fixture
def milestone(enterprise, liaison):
    responsible = factories.liaison_user(enterprise, username="zhangwei")
    return factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="建成工业互联网平台",
        start_date=D(2026, 1, 1),
        due_date=DUE,
        responsible_user=responsible,
    )


def notices(**filters):
    return list(Notification.objects.filter(**filters).order_by("recipient__username", "kind"))


def scan(day):
    return outbox.run_scan(today=day, queue=False)


def test_china_calendar_counts_holidays_and_make_up_working_days():
    assert not is_working_day(D(2026, 6, 19))  # Dragon Boat Festival, a Friday
    assert is_working_day(D(2026, 2, 14))  # Saturday, a make-up working day (调休) before Spring Festival
    assert not is_working_day(D(2026, 2, 16))  # Spring Festival holiday, a Monday
    assert working_day_on_or_before(D(2026, 6, 7)) == D(2026, 6, 5)
    assert days_landing_on(D(2026, 6, 5)) == [D(2026, 6, 5), D(2026, 6, 6), D(2026, 6, 7)]
    assert days_landing_on(D(2026, 6, 6)) == []


@pytest.mark.parametrize(
    ("day", "expected_step"),
    [
        (D(2026, 6, 2), None),  # 8 days before: no offset
        (D(2026, 6, 3), "d-7"),
        (D(2026, 6, 4), None),
        (D(2026, 6, 5), "d-3"),  # offset 3 falls on Sunday 06-07 and moves to Friday
        (D(2026, 6, 7), None),  # a Sunday: sent already on Friday
        (D(2026, 6, 8), None),
        (D(2026, 6, 9), "d-1"),
        (D(2026, 6, 10), "d-0"),
    ],
)
def test_liaisons_and_responsible_person_are_reminded_on_the_offset_days(milestone, liaison, day, expected_step):
    scan(day)
    made = notices(milestone=milestone)
    if expected_step is None:
        assert made == []
        return
    assert [n.recipient.username for n in made] == ["liaison-qdbeer", "zhangwei"]
    assert {n.dedupe_key.rsplit(":", 1)[1] for n in made} == {expected_step}
    expected_kind = NotificationKind.DUE_TODAY if day == DUE else NotificationKind.DUE_SOON
    assert {n.kind for n in made} == {expected_kind}
    assert "建成工业互联网平台" in made[0].subject


def test_other_enterprise_liaison_and_sasac_get_no_due_reminder(milestone, other_liaison, sasac):
    scan(D(2026, 6, 3))
    assert not Notification.objects.filter(recipient__in=[other_liaison, sasac]).exists()


def test_reminder_during_spring_festival_moves_to_the_make_up_saturday(enterprise, liaison):
    factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 2, 22))
    scan(D(2026, 2, 13))
    assert Notification.objects.count() == 0
    scan(D(2026, 2, 14))  # Saturday, but an official working day: offsets 7, 3, 1, 0 all land here
    made = notices(milestone__isnull=False)
    assert len(made) == 1
    assert made[0].kind == NotificationKind.DUE_SOON
    assert made[0].dedupe_key.endswith(":d-0")
    assert made[0].payload["days_left"] == 8
    for day in range(15, 24):
        scan(D(2026, 2, day))
    assert Notification.objects.filter(milestone__isnull=False).count() == 1
    scan(D(2026, 2, 24))  # first working day after the holiday: now it is overdue
    assert notices(kind=NotificationKind.OVERDUE)[0].dedupe_key.endswith(":o+1")


def test_ordinary_saturday_sends_nothing(enterprise, liaison):
    factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 2, 7))
    scan(D(2026, 2, 7))
    assert Notification.objects.count() == 0
    scan(D(2026, 2, 6))  # the Friday before takes the Saturday's due-today reminder
    assert Notification.objects.get().kind == NotificationKind.DUE_SOON


def test_day_starts_at_midnight_in_shanghai(milestone):
    with mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 6, 2, 15, 59, 59, tzinfo=UTC)):
        assert schedule.local_today() == D(2026, 6, 2)
        tasks.run_reminder_scan()
    assert Notification.objects.count() == 0
    with mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 6, 2, 16, 0, 0, tzinfo=UTC)):
        assert schedule.local_today() == D(2026, 6, 3)
        tasks.run_reminder_scan()
    assert Notification.objects.count() == 2


@pytest.mark.parametrize(
    ("day", "liaison_step", "escalated"),
    [
        (D(2026, 6, 11), "o+1", False),  # the day after the due date
        (D(2026, 6, 12), "o+4", False),  # 06-14 (Sunday) repeat moves to Friday
        (D(2026, 6, 15), None, False),
        (D(2026, 6, 16), None, False),
        (D(2026, 6, 17), "o+7", True),  # repeat every 3 days; escalate after 7
        # 06-20 (Saturday) after the Dragon Boat Friday moves to Thursday; this case never scanned
        # 06-17, so the escalation it missed catches up now (it fires once: the dedupe key).
        (D(2026, 6, 18), "o+10", True),
    ],
)
def test_overdue_repeats_and_escalates_to_sasac(milestone, liaison, sasac, leader, day, liaison_step, escalated):
    scan(day)
    liaison_notices = notices(recipient=liaison)
    if liaison_step:
        assert [(n.kind, n.dedupe_key.rsplit(":", 1)[1]) for n in liaison_notices] == [
            (NotificationKind.OVERDUE, liaison_step)
        ]
    else:
        assert liaison_notices == []
    sasac_notices = notices(recipient=sasac)
    assert [n.kind for n in sasac_notices] == ([NotificationKind.ESCALATION] if escalated else [])
    assert notices(recipient=leader) == []


def test_overdue_repeat_and_escalation_follow_the_edited_rule(milestone, liaison, sasac):
    ReminderRule.objects.update(overdue_repeat_days=2, escalate_after_days=3)
    scan(D(2026, 6, 12))  # 06-12..06-14 land today: overdue days 2, 3, 4 -> repeat day 3, escalation day 3
    assert notices(recipient=liaison)[0].dedupe_key.endswith(":o+3")
    assert notices(recipient=sasac)[0].kind == NotificationKind.ESCALATION


@pytest.mark.parametrize("status", [MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN])
def test_closed_and_withdrawn_milestones_get_nothing(milestone, sasac, status):
    milestone.status = status
    milestone.closed_at = timezone.now()
    milestone.withdrawn_reason = "合并到其他任务"
    milestone.save()
    Urge.objects.create(milestone=milestone, sent_by=sasac)
    for day in (D(2026, 6, 3), D(2026, 6, 10), D(2026, 6, 11), D(2026, 6, 17), D(2026, 6, 22)):
        scan(day)
    assert Notification.objects.count() == 0


def test_monthly_report_reminder_before_reporting_day_and_at_end_of_grace(milestone, liaison, other_liaison):
    other = factories.MilestoneFactory(
        assignment__enterprise=other_liaison.profile.enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 12, 31)
    )
    factories.ProgressReportFactory(milestone=other, period=D(2026, 6, 1))
    scan(D(2026, 6, 21))
    assert notices(kind=NotificationKind.REPORT_DUE) == []
    scan(D(2026, 6, 22))  # reporting day 25 minus 3 notice days
    made = notices(kind=NotificationKind.REPORT_DUE)
    assert [n.recipient.username for n in made] == ["liaison-qdbeer", "zhangwei"]  # both liaisons of qdbeer
    assert made[0].payload["milestones"] == [{"id": milestone.pk, "title": milestone.title}]
    assert made[0].dedupe_key.endswith(":2026-06-01:before")
    scan(D(2026, 6, 26))  # grace ends Sunday 06-28: moved to Friday
    made = notices(kind=NotificationKind.REPORT_DUE, recipient=liaison)
    assert sorted(n.dedupe_key.rsplit(":", 1)[1] for n in made) == ["before", "last"]


def test_report_reminder_stops_once_the_report_is_filed(milestone, liaison):
    factories.ProgressReportFactory(milestone=milestone, period=D(2026, 6, 1))
    scan(D(2026, 6, 22))
    assert notices(kind=NotificationKind.REPORT_DUE) == []


def test_unsigned_urge_repeats_and_escalates_like_an_overdue_milestone(enterprise, liaison, sasac):
    late = factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 9, 1)
    )
    signed = factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 9, 1)
    )
    sent = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    Urge.objects.create(milestone=late, sent_by=sasac, message="请加快进度")
    Urge.objects.create(milestone=signed, sent_by=sasac, acknowledged_at=sent, acknowledged_by=liaison)
    Urge.objects.update(sent_at=sent)
    scan(D(2026, 6, 3))
    assert Notification.objects.count() == 0
    scan(D(2026, 6, 4))  # three days unsigned
    assert [(n.recipient, n.kind) for n in notices()] == [(liaison, NotificationKind.URGE_UNSIGNED)]
    scan(D(2026, 6, 8))  # seven days unsigned: SASAC staff are told
    escalations = notices(kind=NotificationKind.ESCALATION)
    assert [(n.recipient, n.milestone) for n in escalations] == [(sasac, late)]


def test_weekly_digest_lists_newly_overdue_due_this_week_and_reports_waiting(enterprise, liaison, sasac, leader):
    monday = D(2026, 6, 8)
    newly = factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="新逾期节点", start_date=D(2026, 1, 1), due_date=D(2026, 6, 3)
    )
    factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="早已逾期", start_date=D(2026, 1, 1), due_date=D(2026, 5, 1)
    )
    this_week = factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="本周到期节点", start_date=D(2026, 1, 1), due_date=D(2026, 6, 12)
    )
    factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="已销号节点",
        start_date=D(2026, 1, 1),
        due_date=D(2026, 6, 11),
        status=MilestoneStatus.CLOSED,
        closed_at=timezone.now(),
    )
    factories.ProgressReportFactory(milestone=this_week, period=D(2026, 6, 1))
    outbox.run_scan(today=monday, kind=ReminderScan.Kind.DIGEST, queue=False)
    digests = notices(kind=NotificationKind.DIGEST)
    assert sorted(n.recipient.username for n in digests) == ["leader", "sasac"]
    payload = digests[0].payload
    assert payload["totals"] == {"newly_overdue": 1, "due_this_week": 1, "waiting_review": 1}
    [section] = payload["enterprises"]
    assert section["name"] == "青啤示范"
    assert [m["id"] for m in section["newly_overdue"]] == [newly.pk]
    assert [m["id"] for m in section["due_this_week"]] == [this_week.pk]
    assert section["waiting_review"] == 1
    outbox.run_scan(today=monday, kind=ReminderScan.Kind.DIGEST, queue=False)
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 2


def test_scan_query_count_does_not_grow_with_milestones(enterprise, liaison, sasac):
    def build(n):
        for _ in range(n):
            factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=DUE)
            factories.MilestoneFactory(
                assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 6, 1)
            )

    build(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        scan(D(2026, 6, 17))
    Notification.objects.all().delete()
    build(12)  # 64 notices: one insert batch even under SQLite's 999 parameters
    with CaptureQueriesContext(connection) as large:
        scan(D(2026, 6, 17))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_escalation_missed_on_its_day_catches_up_once(milestone, liaison, sasac):
    scan(D(2026, 6, 16))  # overdue 6 days: not yet
    assert notices(recipient=sasac) == []
    # 06-17 (day 7) was never scanned: a crash, a holiday outage
    scan(D(2026, 6, 18))
    assert [n.kind for n in notices(recipient=sasac)] == [NotificationKind.ESCALATION]
    scan(D(2026, 6, 22))
    assert [n.kind for n in notices(recipient=sasac)] == [NotificationKind.ESCALATION]


def test_unsigned_urge_escalation_missed_on_its_day_catches_up_once(enterprise, liaison, sasac):
    late = factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 9, 1)
    )
    Urge.objects.create(milestone=late, sent_by=sasac)
    Urge.objects.update(sent_at=datetime.datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    scan(D(2026, 6, 9))  # 06-08 (day 7) was never scanned
    assert len(notices(kind=NotificationKind.ESCALATION)) == 1
    scan(D(2026, 6, 10))
    assert len(notices(kind=NotificationKind.ESCALATION)) == 1


def test_report_due_reminder_before_an_early_reporting_day_falls_in_the_previous_month(milestone, liaison):
    ReminderRule.objects.update(report_day=2, report_notice_days=5)
    scan(D(2026, 6, 26))  # a Friday; 07-02 minus 5 days is Saturday 06-27, moved to Friday
    made = notices(kind=NotificationKind.REPORT_DUE, recipient=liaison)
    assert [n.dedupe_key.rsplit(":", 2)[1:] for n in made] == [["2026-07-01", "before"]]


def test_report_due_reminder_on_next_month_holiday_moves_to_the_month_end_working_day(milestone, liaison):
    # National Day: 10-01..10-07 are days off, so 09-30 carries them; the "before" day of an
    # October reporting day on the 8th (minus 3 = 10-05) lands on 09-30.
    ReminderRule.objects.update(report_day=8, report_notice_days=3)
    scan(D(2026, 9, 30))
    made = notices(kind=NotificationKind.REPORT_DUE, recipient=liaison)
    assert [n.dedupe_key.rsplit(":", 2)[1:] for n in made] == [["2026-10-01", "before"]]


@pytest.mark.parametrize("field", ["report_notice_days", "report_grace_days"])
def test_report_notice_and_grace_days_are_capped_at_27(db, field):
    from django.core.exceptions import ValidationError

    rule = ReminderRule.current()
    setattr(rule, field, 28)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert field in refused.value.message_dict
    setattr(rule, field, 27)
    rule.full_clean()


def test_reading_the_rule_never_writes(db):
    ReminderRule.objects.all().delete()
    rule = ReminderRule.current()
    assert rule.pk is None and rule.offsets_days == [7, 3, 1, 0]
    assert not ReminderRule.objects.exists()
