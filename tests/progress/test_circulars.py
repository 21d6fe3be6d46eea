"""The monthly 督办通报: drafted in one click as Word and PDF from frozen figures, numbered when issued."""

import datetime
import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from progress.circulars import services
from progress.circulars.figures import Period
from progress.health import CLOSED, GREEN, RED, YELLOW, today
from progress.models import Circular, CircularStatus, MilestoneStatus, ReviewState
from progress.selectors.board import board_milestones, health_counts
from tests import factories
from tests.progress.ledger_helpers import close_milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(enterprise, other_enterprise, sasac, liaison, other_liaison):
    """Two enterprises with milestones of every health; every report accepted, as leaders would see them."""
    on = timezone.localdate()
    day = datetime.timedelta(days=1)
    late = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="建成5G专网",
        start_date=on - 90 * day,
        due_date=on - 10 * day,
        progress=30,
    )
    factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=on - 10 * day, due_date=on + 3 * day, progress=50
    )
    factories.MilestoneFactory(
        assignment__enterprise=other_enterprise, start_date=on - 10 * day, due_date=on + 90 * day, progress=20
    )
    done = factories.MilestoneFactory(
        assignment__enterprise=other_enterprise, start_date=on - 60 * day, due_date=on + 9 * day
    )
    close_milestone(done, liaison=other_liaison, sasac=sasac)
    report = factories.ProgressReportFactory(
        milestone=late,
        period=on.replace(day=1),
        progress=30,
        problems="设备到货延迟",
        next_steps="月底前完成安装调试",
        review_state=ReviewState.ACCEPTED,
    )
    late.latest_report = report
    late.save()
    return {"late": late}


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def headline(content: bytes) -> dict[str, str]:
    """The headline table (指标 | 本期 | 上期 | 变化) as {indicator: this period}."""
    table = Document(io.BytesIO(content)).tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def draft(client, sasac, month=None):
    client.force_login(sasac)
    month = month or timezone.localdate().replace(day=1)
    response = client.post(reverse("progress:circular_draft"), {"kind": "month", "month": month.strftime("%Y-%m")})
    assert response.status_code == 302, response.content.decode()[:500]
    return Circular.objects.get(kind="month", period_start=month)


def test_the_months_circular_matches_the_boards_numbers(client, sasac, city):
    circular = draft(client, sasac)
    response = client.get(reverse("progress:circular_docx", args=[circular.pk]))
    content = b"".join(response.streaming_content)
    figures = headline(content)
    counts = health_counts(board_milestones(sasac, on=today()), on=today())
    assert figures["逾期(红灯)"] == str(counts[RED]) == "1"
    assert figures["预警(黄灯)"] == str(counts[YELLOW])
    assert figures["正常(绿灯)"] == str(counts[GREEN])
    assert figures["已销号"] == str(counts[CLOSED]) == "1"
    assert figures["跟踪时间节点"] == str(sum(counts.values()))
    text = docx_text(content)
    assert "青岛市国资委督办通报" in text
    assert "设备到货延迟" in text and "月底前完成安装调试" in text  # the red list quotes the accepted report
    assert "建成5G专网" in text
    assert len(Document(io.BytesIO(content)).inline_shapes) == 3  # the leaders' charts as images


def test_a_pending_report_does_not_move_the_circulars_figures(client, sasac, city, liaison):
    late = city["late"]
    factories.ProgressReportFactory(
        milestone=late,
        period=(timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1),
        progress=95,
        problems="未经审核的说法",
        review_state=ReviewState.PENDING,
    )
    circular = draft(client, sasac)
    text = docx_text(b"".join(client.get(reverse("progress:circular_docx", args=[circular.pk])).streaming_content))
    assert "未经审核的说法" not in text
    assert "30%" in text


def test_the_pdf_is_the_same_document(client, sasac, city, tmp_path):
    circular = draft(client, sasac)
    pdf = b"".join(client.get(reverse("progress:circular_pdf", args=[circular.pk])).streaming_content)
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())  # table cells wrap inside words
    assert "青岛市国资委督办通报" in flat
    assert "设备到货延迟" in flat


def test_issuing_numbers_per_year_and_freezes_the_circular(client, sasac, liaison, city):
    circular = draft(client, sasac)
    client.post(reverse("progress:circular_issue", args=[circular.pk]))
    circular.refresh_from_db()
    year = timezone.localdate().year
    assert circular.status == CircularStatus.ISSUED
    assert circular.number == f"青国资督通〔{year}〕1号"
    stored = circular.docx.read()
    assert circular.number in docx_text(stored)
    # Live data change later; the issued circular regenerates exactly as it was.
    close_milestone(city["late"], liaison=liaison, sasac=sasac)
    docx, _pdf, _problem = services.render(circular)
    assert docx_text(docx) == docx_text(stored)
    response = client.post(reverse("progress:circular_redraft", args=[circular.pk]))
    assert response.status_code == 302
    circular.refresh_from_db()
    assert docx_text(circular.docx.read()) == docx_text(stored)
    client.post(reverse("progress:circular_discard", args=[circular.pk]))
    assert Circular.objects.filter(pk=circular.pk).exists()


def test_a_discarded_draft_uses_no_number(client, sasac, city):
    first = draft(client, sasac)
    client.post(reverse("progress:circular_discard", args=[first.pk]))
    assert not Circular.objects.exists()
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    second = draft(client, sasac, month)
    client.post(reverse("progress:circular_issue", args=[second.pk]))
    second.refresh_from_db()
    assert second.serial == 1


def test_a_future_month_is_refused_with_a_message(client, sasac):
    client.force_login(sasac)
    future = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).strftime("%Y-%m")
    response = client.post(reverse("progress:circular_draft"), {"kind": "month", "month": future}, follow=True)
    assert "尚未开始" in response.content.decode()
    assert not Circular.objects.exists()


def test_a_bad_month_is_refused_with_a_message(client, sasac):
    client.force_login(sasac)
    response = client.post(reverse("progress:circular_draft"), {"kind": "month", "month": "2026-13"})
    assert response.status_code == 400
    assert "请按“年-月”填写" in response.content.decode()


def test_weekly_circular_compares_with_the_week_before(sasac, city):
    circular, _problem = services.circular_draft(period=Period.week(timezone.localdate()), by=sasac)
    assert circular.kind == "week"
    start = datetime.date.fromisoformat(circular.data["start"])
    assert start.weekday() == 0
    assert circular.data["previous"]["period"].startswith((start - datetime.timedelta(days=7)).isoformat())


def test_leaders_read_issued_circulars_only_and_liaisons_none(client, sasac, leader, liaison, city):
    circular, _ = services.circular_draft(period=Period.month(timezone.localdate()), by=sasac)
    client.force_login(leader)
    assert client.get(reverse("progress:circular_detail", args=[circular.pk])).status_code == 404
    assert client.post(reverse("progress:circular_issue", args=[circular.pk])).status_code == 403
    services.circular_issue(circular=circular, by=sasac)
    assert client.get(reverse("progress:circular_docx", args=[circular.pk])).status_code == 200
    client.force_login(liaison)
    assert client.get(reverse("progress:circular_list")).status_code == 403
    assert client.get(reverse("progress:circular_docx", args=[circular.pk])).status_code == 403


def test_withdrawn_milestones_are_not_counted(sasac, city):
    city["late"].status = MilestoneStatus.WITHDRAWN
    city["late"].withdrawn_reason = "并入其他任务"
    city["late"].save()
    circular, _ = services.circular_draft(period=Period.month(timezone.localdate()), by=sasac)
    assert circular.data["totals"][RED] == 0
    assert circular.data["red_list"] == []


def test_the_circulated_wording_is_archived_beside_the_generated_circular(client, sasac, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    circular = draft(client, sasac)
    docx = circular.docx.read()
    refused = client.post(
        reverse("progress:circular_final", args=[circular.pk]),
        {"file": SimpleUploadedFile("定稿.docx", docx)},
        follow=True,
    )
    assert "印发后方可上传定稿" in refused.content.decode()
    client.post(reverse("progress:circular_issue", args=[circular.pk]))
    fake = SimpleUploadedFile("定稿.docx", b"MZ not a word file")
    response = client.post(reverse("progress:circular_final", args=[circular.pk]), {"file": fake}, follow=True)
    assert "内容与扩展名不符" in response.content.decode()
    edited = Document(io.BytesIO(docx))
    edited.add_paragraph("处室修改后的一段话")
    buffer = io.BytesIO()
    edited.save(buffer)
    client.post(
        reverse("progress:circular_final", args=[circular.pk]),
        {"file": SimpleUploadedFile("定稿.docx", buffer.getvalue())},
    )
    final = b"".join(client.get(reverse("progress:circular_final_docx", args=[circular.pk])).streaming_content)
    assert "处室修改后的一段话" in docx_text(final)
    circular.refresh_from_db()
    assert "处室修改后的一段话" not in docx_text(circular.docx.read())


def test_a_week_far_outside_the_supervision_is_refused_with_a_message(client, sasac):
    client.force_login(sasac)
    response = client.post(reverse("progress:circular_draft"), {"kind": "week", "week": "9999-12-31"})
    assert response.status_code == 400
    assert "日期须在" in response.content.decode()
    assert not Circular.objects.exists()


def test_extensions_granted_in_the_period_are_counted(sasac, liaison, city):
    from progress.services import ledger, requests

    plan = ledger.plan_save(
        enterprise=city["late"].assignment.enterprise, by=liaison, expected_version=None, title="方案"
    )
    plan = ledger.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    ledger.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    late = city["late"]
    late.refresh_from_db()
    request = requests.request_file(
        milestone=late,
        by=liaison,
        kind="extension",
        reason="设备到货延迟",
        expected_version=late.version,
        changes={"due_date": timezone.localdate() + datetime.timedelta(days=30)},
    )
    requests.request_decide(
        request=request, by=sasac, approve=True, comment="同意延期", expected_version=request.version
    )
    circular, _problem = services.circular_draft(period=Period.month(timezone.localdate()), by=sasac)
    assert circular.data["totals"]["extensions_granted"] == 1
    assert headline(circular.docx.read())["本期批准延期"] == "1"
