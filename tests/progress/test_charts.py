"""Leaders' charts: each chart is fed what the database says, and a click leads to the matching board."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from directives.models import Category
from progress.models import IndicatorValue, Milestone
from progress.selectors import charts as data
from progress.services.indicators import refresh_latest_indicator_values
from progress.services.ledger import report_accept, report_file, report_update
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_completion_by_enterprise_is_the_average_progress_best_first(enterprise, other_enterprise):
    factories.MilestoneFactory(assignment__enterprise=enterprise, progress=20)
    factories.MilestoneFactory(assignment__enterprise=enterprise, progress=40)
    factories.MilestoneFactory(assignment__enterprise=other_enterprise, progress=90)
    factories.MilestoneFactory(
        assignment__enterprise=other_enterprise, progress=0, status="withdrawn", withdrawn_reason="并入"
    )
    rows = data.completion_by_enterprise(data.health_breakdown(Milestone.objects.all(), on=TODAY))
    assert [(r.short_name, r.average_progress, r.milestones) for r in rows] == [
        ("化工示范", 90.0, 1),
        ("青啤示范", 30.0, 2),
    ]


def test_health_by_category_counts_each_state(enterprise):
    infra = factories.DirectiveFactory(category=Category.NEW_INFRASTRUCTURE)
    factories.MilestoneFactory(assignment__directive=infra, start_date=TODAY - 30 * DAY, due_date=TODAY - DAY)  # red
    factories.MilestoneFactory(assignment__directive=infra, start_date=TODAY - DAY, due_date=TODAY + 2 * DAY)  # yellow
    factories.MilestoneFactory(
        assignment__directive=infra, status="closed", closed_at=timezone.now(), due_date=TODAY + 5 * DAY
    )
    factories.MilestoneFactory(start_date=TODAY - DAY, due_date=TODAY + 200 * DAY, progress=50)  # green, platform
    result = data.health_by_category(data.health_breakdown(Milestone.objects.all(), on=TODAY))
    assert result == {
        "vertical_platform": {"red": 0, "yellow": 0, "green": 1, "closed": 0},
        "new_infrastructure": {"red": 1, "yellow": 1, "green": 0, "closed": 1},
    }


def test_overdue_trend_is_computed_from_the_history_not_todays_snapshot():
    on = TODAY
    created = aware(on - 200 * DAY)
    # Due 20 days ago, closed 10 days ago: overdue on the points between, not today.
    was_late = factories.MilestoneFactory(
        start_date=on - 100 * DAY, due_date=on - 20 * DAY, status="closed", closed_at=aware(on - 10 * DAY)
    )
    # Due 15 days ago and still open: overdue from then on.
    still_late = factories.MilestoneFactory(start_date=on - 100 * DAY, due_date=on - 15 * DAY)
    # Closed before its due date: never overdue.
    factories.MilestoneFactory(
        start_date=on - 100 * DAY, due_date=on - 20 * DAY, status="closed", closed_at=aware(on - 25 * DAY)
    )
    # Closed on its due date: never overdue either.
    factories.MilestoneFactory(
        start_date=on - 100 * DAY, due_date=on - 19 * DAY, status="closed", closed_at=aware(on - 19 * DAY)
    )
    # Withdrawn: never counts.
    factories.MilestoneFactory(
        start_date=on - 100 * DAY, due_date=on - 50 * DAY, status="withdrawn", withdrawn_reason="取消"
    )
    Milestone.objects.update(created_at=created)
    points = dict(data.overdue_trend(Milestone.objects.all(), on=on, weeks=5))
    assert points == {
        on - 28 * DAY: 0,
        on - 21 * DAY: 0,  # neither was due yet
        on - 14 * DAY: 2,  # both past due, neither closed
        on - 7 * DAY: 1,  # was_late closed on day -10
        on: 1,
    }
    assert was_late.status == "closed" and still_late.status == "open"


def test_a_milestone_created_after_a_day_was_not_overdue_on_it():
    late = factories.MilestoneFactory(start_date=TODAY - 100 * DAY, due_date=TODAY - 60 * DAY)
    Milestone.objects.filter(pk=late.pk).update(created_at=aware(TODAY - 3 * DAY))
    points = dict(data.overdue_trend(Milestone.objects.all(), on=TODAY, weeks=2))
    assert points == {TODAY - 7 * DAY: 0, TODAY: 1}


def test_due_soon_counts_open_work_per_week():
    factories.MilestoneFactory(start_date=TODAY - DAY, due_date=TODAY + 2 * DAY)
    factories.MilestoneFactory(start_date=TODAY - DAY, due_date=TODAY + 40 * DAY, progress=10)
    factories.MilestoneFactory(start_date=TODAY - DAY, due_date=TODAY + 95 * DAY)  # beyond 90 days
    factories.MilestoneFactory(due_date=TODAY + 3 * DAY, status="closed", closed_at=timezone.now())
    weeks = data.due_soon_by_week(Milestone.objects.all(), on=TODAY)
    assert sum(w["yellow"] + w["green"] for w in weeks) == 2
    assert weeks[0]["start"] == TODAY and weeks[-1]["end"] == TODAY + 89 * DAY
    week_of = [w for w in weeks if w["start"] <= TODAY + 40 * DAY <= w["end"]][0]
    assert week_of["yellow"] + week_of["green"] == 1


def test_indicator_totals_add_up_each_milestones_latest_value_against_the_citys_target():
    indicator = factories.IndicatorFactory(target=Decimal("100"))
    # The target is per assigned enterprise: two enterprises carry this directive.
    first, second = (
        factories.MilestoneFactory(assignment=factories.AssignmentFactory(directive=indicator.directive))
        for _ in range(2)
    )
    accepted = {"review_state": "accepted"}
    old = factories.ProgressReportFactory(milestone=first, period=datetime.date(2026, 1, 1), **accepted)
    new = factories.ProgressReportFactory(milestone=first, period=datetime.date(2026, 2, 1), **accepted)
    other = factories.ProgressReportFactory(milestone=second, period=datetime.date(2026, 1, 1), **accepted)
    waiting = factories.ProgressReportFactory(milestone=second, period=datetime.date(2026, 2, 1))
    IndicatorValue.objects.create(report=old, indicator=indicator, value=Decimal("10"))
    IndicatorValue.objects.create(report=new, indicator=indicator, value=Decimal("30"))
    IndicatorValue.objects.create(report=other, indicator=indicator, value=Decimal("12.5"))
    # Newer, but not yet accepted: leaders' totals do not count it.
    IndicatorValue.objects.create(report=waiting, indicator=indicator, value=Decimal("99"))
    refresh_latest_indicator_values()  # factories bypass the ledger services, which mark the newest values
    [total] = data.indicator_totals(Milestone.objects.all())
    assert (total.indicator_id, total.total, total.target, total.milestones) == (
        indicator.pk,
        Decimal("42.5"),
        Decimal("200"),
        2,
    )


def test_a_rate_indicator_is_averaged_not_added_up():
    indicator = factories.IndicatorFactory(name="时间节点按期完成率", unit="%", target=Decimal("95"))
    for value in ("90", "100"):
        milestone = factories.MilestoneFactory(assignment=factories.AssignmentFactory(directive=indicator.directive))
        report = factories.ProgressReportFactory(milestone=milestone, review_state="accepted")
        IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal(value))
    refresh_latest_indicator_values()
    [total] = data.indicator_totals(Milestone.objects.all())
    assert (total.total, total.target) == (Decimal("95.00"), Decimal("95"))


def test_plotly_js_is_served_by_the_app_itself():
    assert finders.find("vendor/plotly/plotly.min.js")


def test_leader_sees_every_chart_and_each_bar_links_to_the_board(client, leader, enterprise):
    factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=TODAY - 30 * DAY, due_date=TODAY - DAY)
    client.force_login(leader)
    response = client.get("/charts/")
    assert response.status_code == 200
    body = response.content.decode()
    for chart in ("completion", "category", "trend", "due-soon", "indicators", "ranking"):
        assert f'data-testid="chart-{chart}"' in body
    assert "vendor/plotly/plotly.min.js" in body and "cdn" not in body.lower()
    # plotly's JSON escapes "/" and "&" inside the page's script.
    figures = body.replace("\\u002f", "/").replace("\\u0026", "&")
    assert f"/board/?enterprise={enterprise.pk}" in figures
    assert "/board/?category=vertical_platform&health=red" in figures


def test_sasac_may_open_charts_but_a_liaison_may_not(client, sasac, liaison):
    client.force_login(sasac)
    assert client.get("/charts/").status_code == 200
    client.force_login(liaison)
    assert client.get("/charts/").status_code == 403


@pytest.mark.parametrize("size", [2, 40])
def test_charts_query_count_does_not_grow_with_rows(client, leader, enterprise, django_assert_max_num_queries, size):
    indicator = factories.IndicatorFactory(target=Decimal(1000))
    for milestone in factories.MilestoneFactory.create_batch(size, assignment__enterprise=enterprise):
        report = factories.ProgressReportFactory(milestone=milestone)
        IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal(3))
    client.force_login(leader)
    # session, user, profile, notification badge (x2), then the charts: completion, health by
    # category (+ directive categories), trend (starts, ends), due soon, indicator sums
    # (+ indicators), latest assessment quarter.
    with django_assert_max_num_queries(13):
        assert client.get("/charts/").status_code == 200


def test_a_chart_without_data_says_so_in_chinese_instead_of_empty_axes(client, leader, enterprise):
    factories.MilestoneFactory(assignment__enterprise=enterprise, start_date=TODAY - 30 * DAY, due_date=TODAY - DAY)
    client.force_login(leader)
    body = client.get("/charts/").content.decode()
    # No indicator values and no assessment scores yet.
    assert 'data-testid="chart-indicators-empty"' in body and "暂无指标数据" in body
    assert 'data-testid="chart-ranking-empty"' in body and "暂无考核得分" in body
    assert '<div id="chart-indicators"' not in body and '<div id="chart-ranking"' not in body
    # Charts with data still draw.
    assert '<div id="chart-completion"' in body and 'data-testid="chart-completion-empty"' not in body


def test_indicator_totals_count_a_value_once_sasac_accepts_its_report(sasac):
    milestone = factories.MilestoneFactory()
    indicator = factories.IndicatorFactory(directive=milestone.assignment.directive, target=Decimal("100"))
    january = factories.ProgressReportFactory(
        milestone=milestone, period=datetime.date(2026, 1, 1), review_state="accepted"
    )
    IndicatorValue.objects.create(report=january, indicator=indicator, value=Decimal("10"))
    refresh_latest_indicator_values()  # the January report came from a factory, not the services
    february = report_file(
        milestone=milestone,
        by=sasac,
        period=datetime.date(2026, 2, 1),
        progress=40,
        work_done="二月进展",
        indicator_values={indicator: Decimal("30")},
    )
    [total] = data.indicator_totals(Milestone.objects.all())
    assert (total.total, total.milestones) == (Decimal("10"), 1)  # February waits for review
    february = report_accept(report=february, by=sasac, expected_version=february.version)
    [total] = data.indicator_totals(Milestone.objects.all())
    assert (total.total, total.milestones) == (Decimal("30"), 1)
    # An accepted March report without the indicator leaves February's value the latest.
    march = report_file(
        milestone=milestone, by=sasac, period=datetime.date(2026, 3, 1), progress=50, work_done="三月进展"
    )
    report_update(report=march, by=sasac, expected_version=march.version, indicator_values={indicator: None})
    report_accept(report=march, by=sasac, expected_version=march.version + 1)
    [total] = data.indicator_totals(Milestone.objects.all())
    assert (total.total, total.milestones) == (Decimal("30"), 1)
    # A withdrawn milestone's values no longer count.
    Milestone.objects.filter(pk=milestone.pk).update(status="withdrawn", withdrawn_reason="合并")
    assert data.indicator_totals(Milestone.objects.all()) == []


def test_close_completion_averages_get_an_axis_that_tells_them_apart():
    from progress.views.charts import completion_axis_start

    assert completion_axis_start([85.2, 88, 92]) == 70
    assert completion_axis_start([45, 92]) == 0
    assert completion_axis_start([]) == 0
