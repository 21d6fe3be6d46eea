"""The board, the charts, the home pages and the header read cached figures: every write to the
ledger shows on the next page anyone opens, never a figure from before it."""

import datetime
import re

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from progress.ledger_cache import ledger_stamp
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories
from tests.progress.ledger_helpers import close_milestone

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
@pytest.fixture
def overdue(assignment):
    return factories.MilestoneFactory(
        assignment=assignment, title="逾期的平台建设", start_date=TODAY - 90 * DAY, due_date=TODAY - 5 * DAY
    )


def board_count(client, health: str) -> int:
    page = client.get("/board/").content.decode()
    return int(re.search(rf'data-testid="count-{health}">(\d+)<', page).group(1))


def home_card(client, health: str) -> int:
    page = client.get("/").content.decode()
    return int(re.search(rf'data-health="{health}">(\d+)<', page).group(1))


def queue_total(client) -> int:
    found = re.search(r'data-testid="queue-total"[^>]*>(\d+)<', client.get("/board/").content.decode())
    return int(found.group(1)) if found else 0


def test_an_approved_extension_turns_the_cached_board_and_home_from_red_at_once(
    client, sasac, liaison, approved, overdue
):
    client.force_login(sasac)
    assert (board_count(client, "red"), home_card(client, "red")) == (1, 1)
    assert (board_count(client, "red"), home_card(client, "red")) == (1, 1)  # now from the cache
    request = request_services.request_file(
        milestone=overdue,
        by=liaison,
        kind="extension",
        reason="设备供应商交付推迟两个月",
        changes={"due_date": TODAY + 60 * DAY},
        expected_version=overdue.version,
    )
    assert queue_total(client) == 1  # the header's cached queue count follows the filing
    request_services.request_decide(
        request=request, by=sasac, approve=True, comment="同意", expected_version=request.version
    )
    assert (board_count(client, "red"), home_card(client, "red")) == (0, 0)
    assert queue_total(client) == 0


def test_a_filed_then_accepted_report_shows_in_the_queue_count_and_the_leaders_charts(
    client, sasac, leader, liaison, milestone
):
    client.force_login(leader)
    before = client.get("/charts/").content.decode()
    assert "[20.0]" in before or "[20]" in before  # the one enterprise's average progress
    client.force_login(sasac)
    assert queue_total(client) == 0
    report = services.report_file(milestone=milestone, by=liaison, progress=70, work_done="平台一期上线")
    assert queue_total(client) == 1
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    assert queue_total(client) == 0
    client.force_login(leader)
    after = client.get("/charts/").content.decode()
    assert "[70.0]" in after or "[70]" in after


def test_a_verified_closure_moves_the_milestone_to_closed_on_the_liaisons_cached_home_and_board(
    client, sasac, liaison, approved, overdue
):
    client.force_login(liaison)
    assert (home_card(client, "red"), home_card(client, "closed")) == (1, 0)
    assert board_count(client, "red") == 1
    close_milestone(overdue, liaison=liaison, sasac=sasac)
    assert (home_card(client, "red"), home_card(client, "closed")) == (0, 1)
    assert (board_count(client, "red"), board_count(client, "closed")) == (0, 1)


def test_an_admin_edit_outside_the_services_still_changes_the_cached_board(client, sasac, milestone):
    client.force_login(sasac)
    assert "上线工业互联网平台一期" in client.get("/board/").content.decode()
    milestone.title = "平台二期"
    milestone.save()  # as the admin saves it
    page = client.get("/board/").content.decode()
    assert "平台二期" in page and "上线工业互联网平台一期" not in page


def committed_stamp() -> str:
    """The stamp as another web process reads it: over a connection of its own."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT token FROM progress_ledgerstamp WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else ""
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_the_stamp_changes_for_everyone_when_the_write_commits_and_never_on_a_rollback(liaison, milestone):
    before = committed_stamp()
    with transaction.atomic():
        services.report_file(milestone=milestone, by=liaison, progress=30, work_done="部署")
        first = ledger_stamp()
        assert first != before  # the transaction's own reads see its write
        assert committed_stamp() == before  # nobody else's yet
        milestone.refresh_from_db()
        milestone.title = "第二次写入"
        milestone.save()
        assert ledger_stamp() not in (before, first)  # and each later write of it
    after = committed_stamp()
    assert after != before and ledger_stamp() == after
    with pytest.raises(RuntimeError), transaction.atomic():
        milestone.title = "不会保存"
        milestone.save()
        raise RuntimeError
    assert committed_stamp() == after == ledger_stamp()


def test_a_liaison_never_reads_the_citys_cached_board(client, sasac, liaison, milestone, other_milestone):
    client.force_login(sasac)
    assert other_milestone.title in client.get("/board/").content.decode()
    client.force_login(liaison)
    page = client.get("/board/").content.decode()
    assert milestone.title in page and other_milestone.title not in page


def test_a_report_filed_from_the_workspace_shows_in_its_cached_rows_at_once(client, liaison, sasac, milestone):
    workspace = f"/enterprises/{milestone.assignment.enterprise.code}/"
    report_link = f'href="/milestones/{milestone.pk}/reports/new/"'
    client.force_login(liaison)
    page = client.get(workspace).content.decode()
    assert "尚未报送" in page and report_link in page
    # SASAC's rows are cached apart: no liaison's button to report.
    client.force_login(sasac)
    assert report_link not in client.get(workspace).content.decode()
    services.report_file(milestone=milestone, by=liaison, progress=45, work_done="完成一期部署上线")
    client.force_login(liaison)
    page = client.get(workspace).content.decode()
    assert "完成一期部署上线" in page and 'data-testid="pending-progress"' in page


def test_the_milestone_pages_cached_reports_and_history_follow_a_review(client, liaison, sasac, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=60, work_done="完成联调")
    client.force_login(liaison)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/edit/"' in page  # the liaison may still edit it
    client.force_login(sasac)
    assert f'href="/reports/{report.pk}/edit/"' not in client.get(f"/milestones/{milestone.pk}/").content.decode()
    services.report_return(report=report, by=sasac, expected_version=report.version, comment="请补充佐证材料")
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "请补充佐证材料" in page.split('data-testid="history"')[0]  # on the report card
    assert "请补充佐证材料" in page.split('data-testid="history"')[1]  # and in the history


def test_an_urge_and_its_sign_off_show_in_the_cached_history_at_once(client, liaison, sasac, milestone):
    from progress.reminders.urges import acknowledge_urge, urge_milestone

    client.force_login(sasac)
    history = lambda: client.get(f"/milestones/{milestone.pk}/").content.decode().split('data-testid="history"')[1]  # noqa: E731
    assert "请本周内报送" not in history()
    urge = urge_milestone(milestone=milestone, by=sasac, message="请本周内报送")
    assert "请本周内报送" in history()
    acknowledge_urge(urge=urge, by=liaison, reply="周五前报送")
    assert "周五前报送" in history()


def test_parameters_the_board_ignores_make_no_cache_entries(client, sasac, milestone, monkeypatch):
    from progress.views import board

    cached = []
    real = board.cached_read
    monkeypatch.setattr(board, "cached_read", lambda *a, **k: cached.append(a) or real(*a, **k))
    client.force_login(sasac)
    for query in ("?junk=1", "?junk=2&health=red", "?health=red&sort=-due_date"):
        assert client.get(f"/board/{query}").status_code == 200
    assert len(cached) == 1  # only the board's own question
