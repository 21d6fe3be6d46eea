"""Each role's pages offer only what that role may open, and speak to that role."""

import pytest

from progress.models import ReviewState
from tests import factories

pytestmark = pytest.mark.django_db


def test_liaison_menu_has_the_board_and_the_board_links_nothing_refused(client, liaison):
    client.force_login(liaison)
    home = client.get("/").content.decode()
    assert 'href="/board/"' in home
    board = client.get("/board/")
    assert board.status_code == 200
    assert 'data-testid="board-charts-link"' not in board.content.decode()
    assert client.get("/charts/").status_code == 403


def test_sasac_board_still_links_the_charts(client, sasac):
    client.force_login(sasac)
    assert 'data-testid="board-charts-link"' in client.get("/board/").content.decode()


def test_leader_is_not_told_to_resubmit_a_returned_report(client, leader, liaison, enterprise):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    factories.ProgressReportFactory(
        milestone=milestone, submitted_by=liaison, review_state=ReviewState.RETURNED, review_comment="补充材料"
    )
    client.force_login(leader)
    page = client.get(f"/enterprises/{enterprise.code}/").content.decode()
    assert "补充材料" in page
    assert "请按审核意见修改后重新报送" not in page
    client.force_login(liaison)
    assert "请按审核意见修改后重新报送" in client.get(f"/enterprises/{enterprise.code}/").content.decode()


def test_language_menu_names_each_language_in_itself(client, sasac):
    client.force_login(sasac)
    page = client.get("/").content.decode()
    assert ">English</option>" in page
    assert "英语" not in page


def test_admin_speaks_the_products_name(admin_client):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Django" not in page.split("<body")[1].split("</header>")[0]
    assert "督办进展" in page
    assert "登录尝试" in page and "Access attempts" not in page


def test_english_labels_have_a_space_after_the_colon(client, sasac, liaison, enterprise):
    from progress.services import ledger as services

    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展", next_steps="下月验收")
    client.force_login(sasac)
    client.cookies["django_language"] = "en"
    page = client.get("/reviews/").content.decode()
    assert "Next steps: </strong>下月验收" in page
    client.cookies["django_language"] = "zh-hans"
    assert "下步计划:</strong>下月验收" in client.get("/reviews/").content.decode()
