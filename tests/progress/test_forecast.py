"""Trajectory and forecast: leaders see the work that is going to be late before it turns red."""

import datetime

import pytest
from django.utils import timezone

from progress.forecast import AT_RISK, annotate_forecast, forecast_of, is_at_risk, store_forecast_at_risk
from progress.health import expected_progress
from progress.models import Milestone
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def milestone_with_reports(
    *, due_offset: int, reports: list[tuple[int, int]], status: str = "open", review_state="accepted", **extra
):
    """Reports are (days after START, progress), oldest first, one per month, reviewed as ``review_state``."""
    milestone = factories.MilestoneFactory(
        start_date=START, due_date=START + datetime.timedelta(days=due_offset), status=status, **extra
    )
    latest = None
    for index, (offset, progress) in enumerate(reports):
        latest = factories.ProgressReportFactory(
            milestone=milestone,
            period=datetime.date(2026, 1 + index, 1),
            progress=progress,
            submitted_at=at(START + datetime.timedelta(days=offset)),
            review_state=review_state,
        )
    if latest is not None and review_state == "accepted":
        Milestone.objects.filter(pk=milestone.pk).update(
            latest_report=latest, accepted_report=latest, progress=latest.progress
        )
    # Factories bypass the ledger services, which store the verdict the board filters on.
    store_forecast_at_risk(milestone)
    milestone.refresh_from_db()
    return milestone


def sql_at_risk(milestone) -> bool:
    return annotate_forecast(Milestone.objects.filter(pk=milestone.pk)).filter(AT_RISK).exists()


def test_expected_progress_is_a_straight_line_from_start_to_due():
    due = START + datetime.timedelta(days=100)
    assert expected_progress(start=START, due=due, on=START) == 0
    assert expected_progress(start=START, due=due, on=START + datetime.timedelta(days=25)) == 25
    assert expected_progress(start=START, due=due, on=due) == 100
    assert expected_progress(start=START, due=due, on=due + datetime.timedelta(days=9)) == 100


def test_pace_that_finishes_exactly_on_the_due_date_is_not_at_risk():
    milestone = milestone_with_reports(due_offset=100, reports=[(50, 50)])
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=55))
    assert forecast.finish == START + datetime.timedelta(days=100)
    assert forecast.at_risk is False
    assert sql_at_risk(milestone) is False


def test_one_day_short_at_the_same_pace_is_at_risk():
    milestone = milestone_with_reports(due_offset=99, reports=[(50, 50)])
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=55))
    assert forecast.finish == START + datetime.timedelta(days=100)
    assert forecast.at_risk is True
    assert sql_at_risk(milestone) is True


def test_velocity_comes_from_the_recent_reports_not_the_whole_history():
    # Fast at first (60 % in 30 days), then 5 % a month: from the base three reports back,
    # 15 % in 90 days leaves 25 % for 150 more days, past the due date.
    milestone = milestone_with_reports(due_offset=200, reports=[(30, 60), (60, 65), (90, 70), (120, 75)])
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=121))
    assert forecast.finish == START + datetime.timedelta(days=120 + 150)
    assert forecast.at_risk is True
    assert sql_at_risk(milestone) is True
    # Over the whole history (75 % in 120 days) it would have looked on time.
    assert is_at_risk(progress=75, gained=75, days_between=120, days_left=80) is False


def test_reports_waiting_for_review_are_not_extrapolated():
    # The same pace as the at-risk case above, but nothing is accepted yet: no verdict for leaders.
    milestone = milestone_with_reports(due_offset=99, reports=[(50, 50)], review_state="pending")
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=55))
    assert (forecast.reported, forecast.finish, forecast.at_risk) == (None, None, False)
    assert sql_at_risk(milestone) is False


def test_stalled_progress_has_no_forecast_and_is_at_risk():
    milestone = milestone_with_reports(due_offset=300, reports=[(30, 40), (60, 40), (90, 40), (120, 40)])
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=121))
    assert forecast.finish is None
    assert forecast.at_risk is True
    assert sql_at_risk(milestone) is True


def test_stalled_progress_says_so_since_the_last_accepted_report():
    milestone = milestone_with_reports(due_offset=300, reports=[(30, 40), (60, 40), (90, 40), (120, 40)])
    forecast = forecast_of(milestone, on=START + datetime.timedelta(days=121))
    assert forecast.stalled is True
    assert forecast.reported_on == START + datetime.timedelta(days=120)


def test_a_forecast_never_shows_a_day_already_past():
    # 50 % in 50 days pointed at day 100; on day 400 nothing more was accepted: the pace is stale.
    milestone = milestone_with_reports(due_offset=150, reports=[(50, 50)])
    assert forecast_of(milestone, on=START + datetime.timedelta(days=60)).finish == START + datetime.timedelta(days=100)
    stale = forecast_of(milestone, on=START + datetime.timedelta(days=400))
    assert stale.finish is None
    assert stale.missed_finish == START + datetime.timedelta(days=100)


def test_the_milestone_page_states_a_stalled_forecast_beside_the_risk_badge(client, sasac):
    milestone = milestone_with_reports(due_offset=300, reports=[(30, 40), (60, 40), (90, 40), (120, 40)])
    client.force_login(sasac)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "进度停滞" in page
    assert "无法推算完成日期" in page
    assert "暂无足够报送" not in page


@pytest.mark.parametrize(
    ("status", "reports", "extra"),
    [
        ("closed", [(50, 10)], {"closed_at": timezone.now()}),
        ("withdrawn", [(50, 10)], {"withdrawn_reason": "合并"}),
        ("open", [(50, 100)], {}),
        ("open", [], {}),
    ],
)
def test_closed_withdrawn_finished_or_unreported_work_is_not_judged(status, reports, extra):
    milestone = milestone_with_reports(due_offset=60, reports=reports, status=status, **extra)
    assert forecast_of(milestone, on=START + datetime.timedelta(days=55)).at_risk is False
    assert sql_at_risk(milestone) is False


def test_board_filter_lists_exactly_the_at_risk_milestones(client, sasac):
    late = milestone_with_reports(due_offset=99, reports=[(50, 50)])
    on_time = milestone_with_reports(due_offset=100, reports=[(50, 50)])
    client.force_login(sasac)
    body = client.get("/board/?at_risk=true").content.decode()
    assert f'href="/milestones/{late.pk}/"' in body
    assert f'href="/milestones/{on_time.pk}/"' not in body


def test_milestone_page_shows_trajectory_and_forecast(client, liaison, enterprise):
    today = timezone.localdate()
    milestone = factories.MilestoneFactory(
        assignment=factories.AssignmentFactory(enterprise=enterprise),
        start_date=today - datetime.timedelta(days=100),
        due_date=today + datetime.timedelta(days=100),
        progress=20,
    )
    factories.ProgressReportFactory(
        milestone=milestone,
        period=today.replace(day=1),
        progress=20,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
        review_state="accepted",
    )
    client.force_login(liaison)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "今天应达 50%" in page
    assert "落后于序时进度" in page
    # 20% in 99 days: the remaining 80% needs about 396 more days, well after the due date.
    assert "按近期进度将逾期" in page
