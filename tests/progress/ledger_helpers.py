"""Helpers for the ledger workflow tests: sample files and form data."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\nxref\n0 1\n0000000000 65535 f \ntrailer <<>>\nstartxref\n9\n%%EOF\n"


def pdf(name: str = "进展说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def last_month() -> datetime.date:
    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def report_post(**overrides) -> dict:
    from django.utils import timezone

    data = {
        "period": timezone.localdate().strftime("%Y-%m"),
        "progress": "50",
        "work_done": "完成平台一期部署",
        "problems": "",
        "next_steps": "推广至二级企业",
        "support_needed": "",
    }
    data.update(overrides)
    return data


def close_milestone(milestone, *, liaison, sasac, shortfall_reason: str = "已按阶段目标完成"):
    """The verified closure through the services: the liaison asks, SASAC verifies with a note."""
    from progress.services import requests

    milestone.refresh_from_db()
    request = requests.request_file(
        milestone=milestone,
        by=liaison,
        kind="closure",
        reason="交付成果已验收",
        expected_version=milestone.version,
    )
    return requests.request_decide(
        request=request,
        by=sasac,
        approve=True,
        comment="经核验,同意销号",
        shortfall_reason=shortfall_reason,
        expected_version=request.version,
    )
