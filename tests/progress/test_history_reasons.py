"""History reasons are stored as keys and read in the reader's language, whoever wrote them."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from progress.history_reasons import render_reason, stored_reason
from progress.models import Milestone, ProgressReport
from progress.services import ledger as services
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("progress.migrations.0024_long_silent_and_history_reason_keys")


def reasons(model) -> list[str]:
    return list(model.history.order_by("history_date").values_list("history_change_reason", flat=True))


def test_reasons_are_stored_as_keys_whatever_language_the_writer_reads(enterprise, liaison, sasac):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    with translation.override("en"):
        report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
        report = services.report_return(report=report, by=sasac, expected_version=report.version, comment="请补充")
    assert reasons(ProgressReport)[-2:] == ["报送", stored_reason("退回:%(c)s", c="请补充")]


def test_a_reason_reads_in_the_readers_language(enterprise, liaison, sasac):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    stored = reasons(Milestone)[-1]
    with translation.override("zh-hans"):
        assert render_reason(stored) == f"采纳 {report.period:%Y-%m} 报送的进度"
    with translation.override("en"):
        assert "采纳" not in render_reason(stored)
        assert render_reason("审核通过") == "Accepted"
        assert render_reason(stored_reason("提出%(kind)s", kind="closure")) == "Filed: Closure request"


def test_the_english_history_page_shows_no_chinese_reason(client, enterprise, liaison, sasac):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="进展")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    client.force_login(sasac)
    client.cookies["django_language"] = "en"
    history = client.get(f"/milestones/{milestone.pk}/").content.decode().split('data-testid="history"')[1]
    assert "审核通过" not in history
    assert "Accepted" in history


def test_the_migration_turns_stored_texts_into_keys(enterprise):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    Milestone.history.bulk_history_create([milestone], update=True, default_change_reason="核实销号:同意销号。")
    Milestone.history.bulk_history_create([milestone], update=True, default_change_reason="Accepted: fine")
    Milestone.history.bulk_history_create([milestone], update=True, default_change_reason="同意延期申请:同意")
    Milestone.history.bulk_history_create([milestone], update=True, default_change_reason="按计划调整")
    migration.reasons_to_keys(apps, None)
    assert reasons(Milestone)[-4:] == [
        stored_reason("核实销号:%(note)s", note="同意销号。"),
        stored_reason("审核通过:%(c)s", c="fine"),
        stored_reason("同意%(kind)s:%(comment)s", kind="extension", comment="同意"),
        "按计划调整",
    ]


@pytest.mark.parametrize(
    "stored",
    [
        '{"key": "退回:%(c)s"}',
        '{"key": "退回:%(c)s", "c": 5}',
        '{"key": "退回:%(c)s", "c": null}',
        '{"key": "100%", "c": "x"}',
    ],
)
def test_an_odd_stored_reason_shows_as_stored_and_never_fails_the_page(stored):
    assert isinstance(render_reason(stored), str) and render_reason(stored)
