"""Evidence uploads: the size limit and the type allow-list refuse a file before anything is stored."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import Evidence, ProgressReport
from progress.services import ledger as services
from tests.progress.ledger_helpers import PDF_BYTES, pdf, report_post


def stored_files(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "文件类型不允许上传"),
        ("发票.pdf", b"MZ\x90\x00 a program renamed to pdf", "内容与扩展名不符"),
        ("照片.png", b"\xff\xd8\xff\xe0 jpeg bytes, not png", "内容与扩展名不符"),
        ("说明.txt", b"text with a \x00 NUL byte", "内容与扩展名不符"),
        ("空.pdf", b"", "空文件"),
        ("no-extension", PDF_BYTES, "文件类型不允许上传"),
    ],
)
def test_wrong_type_is_refused_and_nothing_is_stored(client, liaison, milestone, media_root, name, content, message):
    client.force_login(liaison)
    upload = SimpleUploadedFile(name, content)
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(evidence=upload))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_file_over_the_size_limit_is_refused_and_nothing_is_stored(client, liaison, milestone, media_root, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(liaison)
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post(evidence=[pdf(), big]))
    assert response.status_code == 200
    assert "超过大小限制" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("方案.docx", b"PK\x03\x04 docx"),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole"),
        ("现场.JPG", b"\xff\xd8\xff\xe0 jpeg"),
        ("截图.png", b"\x89PNG\r\n\x1a\n png"),
        ("材料.zip", b"PK\x03\x04 zip"),
        ("说明.txt", "纯文本说明".encode()),
    ],
)
def test_allowed_types_are_stored_under_a_generated_name(liaison, milestone, media_root, name, content):
    report = services.report_file(
        milestone=milestone,
        by=liaison,
        progress=10,
        work_done="启动",
        evidence_files=[SimpleUploadedFile(name, content)],
    )
    evidence = report.evidence.get()
    assert evidence.original_name == name
    assert Path(evidence.file.name).suffix == Path(name).suffix.lower()
    assert Path(evidence.file.name).stem != Path(name).stem
    assert (Path(media_root) / evidence.file.name).read_bytes() == content


def test_a_refused_file_in_a_batch_rolls_back_the_files_already_written(liaison, milestone, media_root):
    with pytest.raises(services.LedgerError):
        services.report_file(
            milestone=milestone,
            by=liaison,
            progress=10,
            work_done="启动",
            evidence_files=[pdf(), SimpleUploadedFile("坏.pdf", b"not a pdf")],
        )
    assert not ProgressReport.objects.exists()
    assert stored_files(media_root) == []


def test_evidence_has_no_public_media_url(client, liaison, milestone):
    report = services.report_file(
        milestone=milestone, by=liaison, progress=10, work_done="启动", evidence_files=[pdf()]
    )
    evidence = report.evidence.get()
    client.force_login(liaison)
    assert client.get("/media/" + evidence.file.name).status_code == 404
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 200
