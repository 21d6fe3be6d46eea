"""Health lights at their boundaries; the SQL rules and the Python rules agree."""

import datetime

import pytest

from progress.health import HealthRules, annotate_health, expected_progress, health_of
from progress.models import Milestone
from progress.services import ledger
from tests.factories import AssignmentFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

RULES = HealthRules(warning_days=7, trajectory_tolerance=10)
START = datetime.date(2026, 1, 1)
DUE = datetime.date(2026, 12, 31)


def health_both_ways(milestone, on):
    milestone = Milestone.objects.select_related("latest_report").get(pk=milestone.pk)
    in_python = health_of(milestone, on=on, rules=RULES)
    in_sql = annotate_health(Milestone.objects.filter(pk=milestone.pk), on=on, rules=RULES).get().health
    assert in_python == in_sql
    return in_python


def test_milestone_is_red_the_day_after_its_due_date():
    m = MilestoneFactory(start_date=START, due_date=DUE, progress=95)
    assert health_both_ways(m, DUE) == "yellow"
    assert health_both_ways(m, DUE + datetime.timedelta(days=1)) == "red"


def test_milestone_turns_yellow_inside_the_warning_window():
    m = MilestoneFactory(start_date=START, due_date=DUE, progress=100)
    assert health_both_ways(m, DUE - datetime.timedelta(days=8)) == "green"
    assert health_both_ways(m, DUE - datetime.timedelta(days=7)) == "yellow"


def test_progress_behind_the_straight_line_is_yellow():
    # Halfway through the year, 50% is expected; 40% is within tolerance, 39% is behind.
    on = datetime.date(2026, 7, 2)
    assert expected_progress(start=START, due=DUE, on=on) == 50
    on_track = MilestoneFactory(start_date=START, due_date=DUE, progress=40)
    behind = MilestoneFactory(start_date=START, due_date=DUE, progress=38)
    assert health_both_ways(on_track, on) == "green"
    assert health_both_ways(behind, on) == "yellow"


def test_a_report_flagging_risk_makes_the_milestone_yellow_once_accepted(liaison, sasac, enterprise):
    m = MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise), start_date=START, due_date=DUE, progress=90
    )
    on = datetime.date(2026, 3, 1)
    assert health_both_ways(m, on) == "green"
    report = ledger.report_file(
        milestone=m, by=liaison, period=datetime.date(2026, 2, 1), progress=90, work_done="设备联网调试", at_risk=True
    )
    assert health_both_ways(m, on) == "green"  # waiting for review: leaders' lights do not move
    ledger.report_accept(report=report, by=sasac, expected_version=report.version)
    assert health_both_ways(m, on) == "yellow"


def test_a_pending_figure_never_lights_a_milestone(liaison, sasac, enterprise):
    # Halfway through the year 50 % is expected: the accepted 20 % is behind (yellow) whatever the
    # liaison reports; 60 % turns it green only once SASAC accepts it.
    on = datetime.date(2026, 7, 2)
    m = MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise), start_date=START, due_date=DUE, progress=0
    )
    first = ledger.report_file(milestone=m, by=liaison, period=datetime.date(2026, 5, 1), progress=20, work_done="一期")
    ledger.report_accept(report=first, by=sasac, expected_version=first.version)
    assert health_both_ways(m, on) == "yellow"
    second = ledger.report_file(
        milestone=m, by=liaison, period=datetime.date(2026, 6, 1), progress=60, work_done="二期"
    )
    assert health_both_ways(m, on) == "yellow"
    m.refresh_from_db()
    assert (m.progress, m.latest_report.progress) == (20, 60)
    ledger.report_return(report=second, by=sasac, comment="佐证不足", expected_version=second.version)
    assert health_both_ways(m, on) == "yellow"
    second = ledger.report_update(report=second, by=liaison, expected_version=second.version + 1, work_done="补充")
    ledger.report_accept(report=second, by=sasac, expected_version=second.version)
    assert health_both_ways(m, on) == "green"


def test_closed_and_withdrawn_milestones_are_never_red():
    late = DUE + datetime.timedelta(days=30)
    closed = MilestoneFactory(start_date=START, due_date=DUE, status="closed", closed_at="2027-01-05T10:00:00+08:00")
    withdrawn = MilestoneFactory(start_date=START, due_date=DUE, status="withdrawn", withdrawn_reason="任务调整")
    assert health_both_ways(closed, late) == "closed"
    assert health_both_ways(withdrawn, late) == "withdrawn"
