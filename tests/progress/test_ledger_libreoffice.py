"""The exported ledger opens cleanly in LibreOffice (standing in for WPS and Excel), and LibreOffice's own
saving of it comes back through the import."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from progress.models import LedgerImport, ProgressReport
from progress.selectors.ledger_form import COLUMN_INDEX
from tests import factories
from tests.libreoffice import convert

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestones(enterprise):
    assignment = factories.AssignmentFactory(
        enterprise=enterprise, directive=factories.DirectiveFactory(number="二(2)", title="打造垂直领域平台")
    )
    start = timezone.localdate() - datetime.timedelta(days=60)
    return [
        factories.MilestoneFactory(
            assignment=assignment,
            title=f"节点{n}:建成“工业互联网”平台 & <测试>",
            responsible_person="张伟",
            start_date=start,
            due_date=datetime.date(2027, 6, 30),
        )
        for n in range(3)
    ]


def test_the_export_opens_in_libreoffice_and_reads_back(client, liaison, milestones, tmp_path):
    client.force_login(liaison)
    source = tmp_path / "台账.xlsx"
    source.write_bytes(client.get("/enterprises/qdbeer/ledger.xlsx").content)

    converted = convert(source, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out")

    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
    assert rows[0][0].startswith("青啤示范工业互联网任务推进台账")
    assert rows[1][0].startswith("填报单位:")
    assert rows[2][:3] == ["编号", "任务来源(条款)", "工作任务"]
    assert [row[2] for row in rows[3:]] == [milestone.title for milestone in milestones]
    assert rows[3][0] == str(milestones[0].pk)
    assert rows[3][5] == "2027-06-30"


def test_a_sheet_saved_by_libreoffice_imports(client, liaison, milestones, tmp_path):
    client.force_login(liaison)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/enterprises/qdbeer/ledger.xlsx").content))
    sheet = workbook.active
    sheet.cell(4, COLUMN_INDEX["progress"] + 1).value = 40
    sheet.cell(4, COLUMN_INDEX["work_done"] + 1).value = "完成选型"
    edited = tmp_path / "edited" / "台账.xlsx"
    edited.parent.mkdir()
    workbook.save(edited)

    saved = convert(edited, "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved")

    response = client.post(
        "/enterprises/qdbeer/ledger/import/", {"file": SimpleUploadedFile("台账.xlsx", saved.read_bytes())}
    )
    assert response.status_code == 302
    pending = LedgerImport.objects.get()
    assert pending.plan["errors"] == [] and pending.plan["refused"] == []
    assert [entry["milestone"] for entry in pending.plan["reports"]] == [milestones[0].pk]
    assert pending.plan["unchanged"] == 2
    client.post(f"/enterprises/qdbeer/ledger/import/{pending.token}/commit/")
    report = ProgressReport.objects.get()
    assert (report.milestone, report.progress, report.work_done) == (milestones[0], 40, "完成选型")
