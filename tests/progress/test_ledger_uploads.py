"""Evidence uploads: the size limit and the type allow-list refuse a file before anything is stored."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import Evidence, ProgressReport
from progress.services import ledger as services
from tests.progress import evidence_samples as samples
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
        # A program that starts like a PDF: libmagic says PDF, but it does not end like one.
        ("通知.pdf", b"%PDF-1.7\n" + samples.LINUX_PROGRAM, "内容与扩展名不符"),
        # ...and one that ends like a PDF too still carries a program.
        ("通知.pdf", b"%PDF-1.7\n" + samples.WINDOWS_PROGRAM + b"\nstartxref\n0\n%%EOF\n", "含有可执行程序"),
        ("说明.txt", b"#!/bin/sh\nrm -rf /\n", "内容与扩展名不符"),
        # Office files are checked as the package they claim to be.
        ("方案.docx", samples.xlsx(), "内容与扩展名不符"),
        ("方案.docx", samples.zip_of({"a.txt": "not a document"}), "内容与扩展名不符"),
        ("方案.docx", samples.docx()[:-40], "不是完整的压缩包或 Office 文件"),
        ("方案.docx", samples.docx(**{"word/vbaProject.bin": b"macro"}), "含有宏"),
        ("台账.xlsx", samples.pptx(), "内容与扩展名不符"),
        ("材料.zip", samples.zip_of({"照片.jpg": samples.JPEG, "安装.exe": b"MZ"}), "含有程序或脚本文件"),
        ("台账.xls", b"\xd0\xcf\x11\xe0 just the start of an OLE header", "内容与扩展名不符"),
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
        ("方案.docx", samples.docx()),
        ("台账.xlsx", samples.xlsx()),
        ("汇报.pptx", samples.pptx()),
        ("台账.xls", samples.OLE),
        ("现场.JPG", samples.JPEG),
        ("截图.png", samples.png()),
        ("材料.zip", samples.zip_of({"照片.jpg": samples.JPEG, "说明.txt": samples.TEXT})),
        ("说明.txt", samples.TEXT),
        ("进展.pdf", samples.PDF),
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
