"""The inputs a security probe once turned into server errors now get a clear message and change nothing."""

import datetime

import pytest
from django.contrib.messages import get_messages

from progress.history_reasons import render_reason
from progress.models import Milestone, MilestoneStatus, ProgressReport
from tests.progress.ledger_helpers import report_post

pytestmark = pytest.mark.django_db

LONG_REASON = "因集团战略调整,该时间节点与“设备运维”模块合并实施,原计划的交付物改由合并后的节点统一验收。" * 3


def test_a_nul_byte_in_a_filter_gets_a_translated_400_page(client, sasac):
    client.force_login(sasac)
    response = client.get("/reviews/?enterprise=%00")
    assert response.status_code == 400
    assert "链接中含有无效字符" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_refused_beside_the_field(client, liaison, milestone):
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(work_done="完成\x00部署"))
    assert response.status_code == 200
    assert "不能含有空字符(NUL)" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_withdrawal_reason_of_any_sensible_length_is_kept_whole(client, liaison, milestone):
    assert len(LONG_REASON) > 100
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/withdraw/", {"reason": LONG_REASON, "version": milestone.version}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert render_reason(milestone.history.first().history_change_reason).endswith(LONG_REASON.strip()[-20:])


def test_an_over_long_reason_is_refused_with_a_message(client, liaison, milestone):
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/withdraw/", {"reason": "长" * 6000})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["内容过长:最多 5000 个字符,现有 6000 个。"]
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_milestone_date_outside_2000_to_2100_is_refused_beside_the_field(client, liaison, assignment, day):
    client.force_login(liaison)
    response = client.post(
        f"/assignments/{assignment.pk}/milestones/new/",
        {"title": "节点", "start_date": "2026-01-01", "due_date": day, "responsible_person": "张伟"},
    )
    assert response.status_code == 200
    assert "日期须在 2000-01-01 至 2100-12-31 之间" in response.content.decode()
    assert not Milestone.objects.filter(title="节点").exists()


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "1999-12"])
def test_a_report_period_outside_2000_to_2100_is_refused(client, liaison, milestone, period):
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(period=period))
    assert response.status_code == 200
    assert "年份须在 2000 至 2100 之间" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_quarter_like_9999q4_is_named_and_the_latest_is_shown(client, sasac):
    client.force_login(sasac)
    response = client.get("/assessment/?quarter=9999Q4")
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["年份须在 2000 至 2100 之间。已显示最近一期。"]


def test_computing_quarter_9999q4_is_refused_and_nothing_is_scored(client, sasac):
    client.force_login(sasac)
    response = client.post("/assessment/compute/", {"quarter": "9999Q4"}, follow=True)
    assert "年份须在 2000 至 2100 之间。未计算。" in response.content.decode()


def test_a_closed_period_export_of_month_0000_01_is_not_found(client, sasac, enterprise):
    client.force_login(sasac)
    assert client.get(f"/enterprises/{enterprise.code}/ledger.xlsx?period=0000-01").status_code == 404
    assert client.get("/periods/0000-01/close/").status_code == 404


def test_a_milestone_due_far_ahead_can_still_be_reported_on(client, liaison, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(
        start_date=datetime.date(2000, 1, 1), due_date=datetime.date(2100, 12, 31)
    )
    client.force_login(liaison)
    assert client.get(f"/milestones/{milestone.pk}/").status_code == 200
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post())
    assert response.status_code == 302
    assert client.get("/board/").status_code == 200


def test_an_edit_without_its_version_is_refused_and_changes_nothing(client, liaison, milestone):
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/edit/",
        {"title": "改名", "start_date": "2026-01-01", "due_date": "2026-12-31", "responsible_person": "张伟"},
    )
    assert response.status_code == 200
    assert "这张表单缺少版本信息" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title != "改名"
