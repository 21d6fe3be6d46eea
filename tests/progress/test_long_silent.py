"""Long silent (长期未报送): SASAC sees the open milestones nobody has reported on for months, on the
board, the home page and the exports, and the flag clears the instant a report is accepted."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from progress.models import Milestone
from progress.services import ledger as services
from progress.silence import is_long_silent, long_silent_condition, silence_cutoff
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def silent(enterprise):
    """Open since a year ago; its only accepted report is five months old."""
    milestone = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="沉默的节点",
        start_date=TODAY - datetime.timedelta(days=365),
        due_date=TODAY + datetime.timedelta(days=60),
    )
    old = factories.ProgressReportFactory(
        milestone=milestone,
        period=(TODAY - datetime.timedelta(days=150)).replace(day=1),
        submitted_at=at(TODAY - datetime.timedelta(days=150)),
        review_state="accepted",
    )
    Milestone.objects.filter(pk=milestone.pk).update(accepted_report=old, accepted_report_at=old.submitted_at)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def heard_from(enterprise):
    return factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="刚开始的节点", start_date=TODAY - datetime.timedelta(days=10)
    )


def flagged(on=TODAY) -> set[str]:
    return set(Milestone.objects.filter(long_silent_condition(on=on)).values_list("title", flat=True))


def test_no_accepted_report_for_the_set_months_flags_the_milestone(silent, heard_from):
    assert is_long_silent(silent, on=TODAY)
    assert not is_long_silent(heard_from, on=TODAY)
    assert flagged() == {"沉默的节点"}


def test_the_months_are_a_setting(settings, silent):
    settings.LONG_SILENT_MONTHS = 6
    assert silence_cutoff(datetime.date(2026, 8, 31)) == datetime.date(2026, 2, 28)
    assert not is_long_silent(silent, on=TODAY)
    assert flagged() == set()


def test_a_milestone_never_reported_is_silent_since_its_start(enterprise):
    factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="从未报送", start_date=TODAY - datetime.timedelta(days=200)
    )
    assert flagged() == {"从未报送"}


def test_closed_work_is_not_silent(silent):
    Milestone.objects.filter(pk=silent.pk).update(status="closed", closed_at=timezone.now())
    assert flagged() == set()


def test_the_flag_clears_the_instant_sasac_accepts_a_report(silent, liaison, sasac):
    report = services.report_file(milestone=silent, by=liaison, progress=60, work_done="恢复推进")
    # Waiting for review does not count: SASAC has not accepted anything new yet.
    assert flagged() == {"沉默的节点"}
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    assert flagged() == set()
    silent.refresh_from_db()
    assert not is_long_silent(silent, on=TODAY)


def test_board_badge_filter_home_count_and_export(client, sasac, silent, heard_from):
    client.force_login(sasac)
    board = client.get("/board/").content.decode()
    assert board.count('data-testid="long-silent"') == 1
    filtered = client.get("/board/?long_silent=true").content.decode()
    assert "沉默的节点" in filtered
    assert "刚开始的节点" not in filtered
    home = client.get("/").content.decode()
    assert 'href="/board/?long_silent=true">1</a>' in home
    rows = list(csv.reader(io.StringIO(client.get("/board/export.csv").content.decode("utf-8-sig"))))
    column = rows[0].index("长期未报送")
    assert {row[3]: row[column] for row in rows[1:]} == {"沉默的节点": "长期未报送", "刚开始的节点": ""}
