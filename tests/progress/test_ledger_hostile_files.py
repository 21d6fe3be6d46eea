"""Hostile uploads are refused with a clear message before they cost the server anything; nothing is written.

How fast (each well under a second) and with how little memory is measured in bench/ledger_import.py.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import LedgerImport, Milestone, ProgressReport
from progress.xlsx_reader import Limits, SpreadsheetError, read_first_sheet
from tests import factories
from tests.progress.hostile_files import HOSTILE

pytestmark = pytest.mark.django_db

IMPORT = "/enterprises/qdbeer/ledger/import/"


@pytest.fixture
def milestone(enterprise):
    return factories.MilestoneFactory(assignment__enterprise=enterprise, title="已有节点")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_upload_is_refused_with_a_message_and_writes_nothing(client, liaison, milestone, name):
    content, message = HOSTILE[name]()
    client.force_login(liaison)

    response = client.post(IMPORT, {"file": SimpleUploadedFile("台账.xlsx", content)}, follow=True)

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'data-testid="ledger-import-commit"' not in page
    pending = LedgerImport.objects.get()
    assert pending.plan["errors"] and not pending.plan["reports"] and not pending.plan["milestones"]
    commit = client.post(f"{IMPORT}{pending.token}/commit/", follow=True)
    assert "不能导入" in commit.content.decode()
    assert Milestone.objects.count() == 1
    assert not ProgressReport.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_by_the_form(client, liaison, milestone):
    client.force_login(liaison)

    response = client.post(IMPORT, {"file": SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"0" * 5 * 1024 * 1024)})

    assert response.status_code == 400
    assert "文件超过 5 MB" in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_the_time_budget_refuses_a_slow_read():
    content, _message = HOSTILE["a million unnumbered rows"]()
    with pytest.raises(SpreadsheetError, match="限定时间"):
        read_first_sheet(io.BytesIO(content), Limits(max_rows=10_000_000, seconds=0))


def test_a_value_beyond_the_columns_read_refuses_the_file_rather_than_dropping_it():
    from progress.exports import build_xlsx

    content = build_xlsx(sheet_title="t", headers=["a"] * 45, rows=[["x"] * 45], column_widths=[5] * 45)
    with pytest.raises(SpreadsheetError, match="只读取前 40 列"):
        read_first_sheet(io.BytesIO(content))
