"""Writes of circulars (督办通报): draft a period's circular, issue it with its number, discard a draft.

A draft freezes the period's figures in ``Circular.data`` and renders the Word document and
its PDF from them; issuing gives the next number of the year (never reused: the counter row
is locked in the issuing transaction and issued circulars are never deleted) and renders the
documents again, with the number, from the same frozen data.
"""

import datetime
import os

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.circulars import documents
from progress.circulars.figures import Period, circular_data
from progress.models import Circular, CircularStatus
from progress.orders.services import next_serial
from progress.services.errors import LedgerError
from progress.services.evidence import check_evidence_file

CIRCULAR_SERIES = "circular"


class CircularError(Exception):
    """A step the rules refuse; the message is for the user."""


def file_name(circular: Circular, kind: str) -> str:
    """``kind``: "docx" or "pdf" (the generated documents) or "final" (the circulated Word)."""
    name = _("督办通报-%(p)s") % {"p": circular.data.get("period", circular.period_start.isoformat())}
    if circular.status == CircularStatus.ISSUED:
        name = f"{circular.number}-{name}"
    else:
        name += _("-草稿")
    if kind == "final":
        return f"{name}{_('-定稿')}.docx"
    return f"{name}.{kind}"


def _dated(circular: Circular) -> datetime.date:
    moment = circular.issued_at if circular.status == CircularStatus.ISSUED else circular.drafted_at
    return timezone.localdate(moment)


def render(circular: Circular) -> tuple[bytes, bytes | None, str]:
    """The circular's Word document and PDF, from its frozen data; the PDF is None (with the
    reason) when it could not be made."""
    docx = documents.circular_docx(circular.data, number=circular.number, dated=_dated(circular))
    try:
        return docx, documents.docx_to_pdf(docx), ""
    except documents.DocumentError as error:
        return docx, None, str(error)


def _store(circular: Circular) -> str:
    """Render and store both files on the circular (saved); returns a warning when the PDF failed."""
    docx, pdf, problem = render(circular)
    for field in (circular.docx, circular.pdf):
        if field:
            field.delete(save=False)
    circular.docx.save(file_name(circular, "docx"), ContentFile(docx), save=False)
    if pdf is not None:
        circular.pdf.save(file_name(circular, "pdf"), ContentFile(pdf), save=False)
    circular.save()
    return problem


def circular_draft(*, period: Period, by) -> tuple[Circular, str]:
    """Draft (or draft again) the circular for ``period``; returns it and a warning, if any."""
    today = timezone.localdate()
    if period.start > today:
        raise CircularError(_("%(p)s 尚未开始,不能起草通报。") % {"p": period.label()})
    data = circular_data(period, today=today)
    now = timezone.now()
    with transaction.atomic():
        # get_or_create, then the row lock: two officers drafting the same period at once wait
        # for each other on the unique (kind, period) instead of one of them failing.
        created, _new = Circular.objects.get_or_create(
            kind=period.kind,
            period_start=period.start,
            defaults={"period_end": period.end, "data": data, "drafted_by": by, "drafted_at": now},
        )
        circular = Circular.objects.select_for_update().get(pk=created.pk)
        if circular.status == CircularStatus.ISSUED:
            raise CircularError(
                _("%(p)s 的通报已印发(%(n)s),不能重新起草。") % {"p": period.label(), "n": circular.number}
            )
        circular.data = data
        circular.drafted_by, circular.drafted_at = by, now
        problem = _store(circular)
    return circular, problem


def circular_issue(*, circular: Circular, by) -> tuple[Circular, str]:
    """Issue a draft: the year's next number, the documents rendered again with it."""
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if circular.status != CircularStatus.DRAFT:
            raise CircularError(_("该通报已印发(%(n)s)。") % {"n": circular.number})
        now = timezone.now()
        circular.status = CircularStatus.ISSUED
        circular.year = timezone.localdate(now).year
        circular.serial = next_serial(series=CIRCULAR_SERIES, year=circular.year)
        circular.issued_by, circular.issued_at = by, now
        problem = _store(circular)
    return circular, problem


def circular_discard(*, circular: Circular, by) -> None:
    """Delete a draft and its files; an issued circular stays for good."""
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if circular.status != CircularStatus.DRAFT:
            raise CircularError(_("已印发的通报不能删除。"))
        files = [f for f in (circular.docx, circular.pdf) if f]
        circular.delete()
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def circular_attach_final(*, circular: Circular, by, file: UploadedFile) -> Circular:
    """Keep the Word document the office circulated (edited from the issued one); replaces an earlier one."""
    if os.path.splitext(file.name or "")[1].lower() != ".docx":
        raise CircularError(_("定稿须为 Word 文档(.docx)。"))
    try:
        check_evidence_file(file)
    except LedgerError as error:
        raise CircularError(str(error)) from error
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if circular.status != CircularStatus.ISSUED:
            raise CircularError(_("印发后方可上传定稿。"))
        previous = circular.final_docx.name if circular.final_docx else ""
        circular.final_docx.save(_("%(n)s-定稿.docx") % {"n": circular.number}, file, save=False)
        circular.final_uploaded_at, circular.final_uploaded_by = timezone.now(), by
        circular.save()
        if previous:
            storage = circular.final_docx.storage
            transaction.on_commit(lambda: storage.delete(previous))
    return circular
