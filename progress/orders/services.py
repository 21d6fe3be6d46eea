"""Writes of supervision orders (督办单): SASAC issues, the enterprise signs and answers, SASAC
closes the order or sends the answer back.

Keyword-only functions that assume the caller authorised the user through ``progress.scoping``
and do the whole change in one transaction; a refused step raises ``FollowupError`` and changes
nothing (evidence files written before the refusal are removed). Every step is in the order's
history and tells whoever acts next.
"""

import datetime
import hashlib
import os
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enterprises.models import Enterprise
from progress.history_reasons import stored_reason
from progress.instructions.services import FollowupError, instruction_follow_by_order
from progress.models import (
    OPEN_ORDER_STATUSES,
    AnswerDecision,
    DocumentSequence,
    Instruction,
    InstructionStatus,
    Milestone,
    MilestoneStatus,
    NotificationKind,
    OrderAnswer,
    OrderEvidence,
    OrderStatus,
    SupervisionOrder,
)
from progress.reminders import selectors as reminder_selectors
from progress.reminders.services import notify
from progress.services.errors import LedgerError
from progress.services.evidence import check_evidence_file

ORDER_SERIES = "order"


def next_serial(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``. Call inside the transaction that uses it: the
    counter row stays locked until it commits, and a rollback gives the number back unused."""
    DocumentSequence.objects.bulk_create([DocumentSequence(series=series, year=year)], ignore_conflicts=True)
    sequence = DocumentSequence.objects.select_for_update().get(series=series, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def order_url(order: SupervisionOrder) -> str:
    return settings.SITE_URL + reverse("progress:order_detail", args=[order.pk])


def _save(order: SupervisionOrder, *, by, reason: str) -> None:
    order._history_user = by
    order._change_reason = reason
    order.save()


def _lock(order: SupervisionOrder) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().select_related("enterprise").get(pk=order.pk)


def _liaisons(order: SupervisionOrder) -> list[int]:
    return reminder_selectors.liaisons_by_enterprise().get(order.enterprise_id, [])


def _liaisons_and_instructing_leader(order: SupervisionOrder) -> list[int]:
    """Who hears that an order ended: the enterprise, and the leader whose instruction it carried out."""
    recipients = _liaisons(order)
    if order.instruction_id:
        recipients.append(order.instruction.author_id)
    return recipients


def _tell(order: SupervisionOrder, *, recipients: list[int], event: str, subject: str, body: str) -> None:
    notify(
        recipient_ids=recipients,
        kind=NotificationKind.SUPERVISION_ORDER,
        key=f"order-{order.pk}:{event}",
        subject=subject,
        body=body,
        url=order_url(order),
        payload={
            # The in-app link stays on the site the user is on; e-mails use the absolute url.
            "path": reverse("progress:order_detail", args=[order.pk]),
            "order_id": order.pk,
            "order_number": order.number,
            "enterprise": order.enterprise.short_name,
            "due_date": order.answer_due.isoformat(),
        },
    )


def order_issue(
    *,
    by,
    enterprise: Enterprise,
    title: str,
    requirement: str,
    answer_due: datetime.date,
    contact_name: str,
    contact_phone: str,
    milestones: Iterable[Milestone] = (),
    instruction: Instruction | None = None,
) -> SupervisionOrder:
    """Issue a numbered order to ``enterprise``; its liaisons are told at once."""
    milestones = list(milestones)
    if answer_due < timezone.localdate():
        raise FollowupError(_("反馈时限不能早于今天。"))
    if any(m.assignment.enterprise_id != enterprise.pk for m in milestones):
        raise FollowupError(_("督办单涉及的时间节点须属于被督办企业。"))
    if any(m.status == MilestoneStatus.WITHDRAWN for m in milestones):
        raise FollowupError(_("已撤销的时间节点不能督办。"))
    if instruction is not None and instruction.status == InstructionStatus.DONE:
        raise FollowupError(_("该批示已办结,不能再据此下发督办单。"))
    now = timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        year = timezone.localdate(now).year
        order = SupervisionOrder(
            year=year,
            serial=next_serial(series=ORDER_SERIES, year=year),
            enterprise=enterprise,
            instruction=instruction,
            title=title.strip(),
            requirement=requirement.strip(),
            answer_due=answer_due,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            issued_by=by,
            issued_at=now,
        )
        _save(order, by=by, reason=stored_reason(gettext_noop("签发")))
        order.milestones.set(milestones)
        if instruction is not None:
            instruction_follow_by_order(instruction=instruction, by=by, answer_due=answer_due)
        _tell(
            order,
            recipients=_liaisons(order),
            event="issued",
            subject=_("【督办单】%(number)s %(title)s") % {"number": order.number, "title": order.title},
            body=_("国资委向%(enterprise)s下发督办单 %(number)s“%(title)s”,请签收并于 %(due)s 前反馈办理情况。")
            % {
                "enterprise": enterprise.short_name,
                "number": order.number,
                "title": order.title,
                "due": answer_due.isoformat(),
            },
        )
    return order


def order_sign(*, order: SupervisionOrder, by) -> bool:
    """The liaison signs for the order (签收). False when it was signed already; refused when cancelled."""
    with transaction.atomic():
        order = _lock(order)
        if order.status == OrderStatus.CANCELLED:
            raise FollowupError(_("该督办单已作废,无需办理或反馈。"))
        if order.status != OrderStatus.ISSUED:
            return False
        _sign(order, by)
        order.version += 1
        _save(order, by=by, reason=stored_reason(gettext_noop("签收")))
    return True


def _sign(order: SupervisionOrder, by) -> None:
    order.status = OrderStatus.SIGNED
    order.signed_at, order.signed_by = timezone.now(), by


def _store_evidence(*, answer: OrderAnswer, by, file: UploadedFile, stored: list[str]) -> OrderEvidence:
    try:
        content_type = check_evidence_file(file)
    except LedgerError as error:
        raise FollowupError(str(error)) from error
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    evidence = OrderEvidence(
        answer=answer,
        original_name=os.path.basename(file.name)[:255],
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    # The stored name is ours: nothing the user typed reaches the disk path.
    evidence.file.save(f"{uuid.uuid4().hex}{os.path.splitext(file.name)[1].lower()}", file, save=False)
    stored.append(evidence.file.name)
    evidence.save()
    return evidence


def order_answer(*, order: SupervisionOrder, by, text: str, evidence_files: Iterable[UploadedFile] = ()) -> OrderAnswer:
    """The enterprise answers (办理情况反馈); an order not yet signed for is signed by answering.
    SASAC's issuer is told, since SASAC decides next."""
    text = text.strip()
    if not text:
        raise FollowupError(_("请填写办理情况。"))
    stored: list[str] = []
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            order = _lock(order)
            if order.status == OrderStatus.ANSWERED:
                raise FollowupError(_("已反馈办理情况,正在等待国资委审核。"))
            if order.status == OrderStatus.CLOSED:
                raise FollowupError(_("该督办单已办结。"))
            if order.status == OrderStatus.CANCELLED:
                raise FollowupError(_("该督办单已作废,无需办理或反馈。"))
            reason = stored_reason(gettext_noop("反馈办理情况"))
            if order.status == OrderStatus.ISSUED:
                _sign(order, by)
                reason = stored_reason(gettext_noop("签收并反馈办理情况"))
            answer = OrderAnswer.objects.create(order=order, text=text, submitted_by=by, submitted_at=timezone.now())
            for file in evidence_files:
                _store_evidence(answer=answer, by=by, file=file, stored=stored)
            order.status = OrderStatus.ANSWERED
            order.version += 1
            _save(order, by=by, reason=reason)
            reviewers = [order.issued_by_id] if order.issued_by.is_active else []
            _tell(
                order,
                recipients=reviewers or reminder_selectors.user_ids_with_role("sasac_staff"),
                event=f"answer-{answer.pk}",
                subject=_("【督办反馈】%(enterprise)s 反馈了 %(number)s 的办理情况")
                % {"enterprise": order.enterprise.short_name, "number": order.number},
                body=_("%(enterprise)s 对督办单 %(number)s“%(title)s”反馈了办理情况,请审核后办结或退回。")
                % {"enterprise": order.enterprise.short_name, "number": order.number, "title": order.title},
            )
            return answer
    except BaseException:
        storage = OrderEvidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


def _pending_answer(order: SupervisionOrder) -> OrderAnswer:
    if order.status != OrderStatus.ANSWERED:
        raise FollowupError(_("该督办单没有待审核的办理情况反馈。"))
    return order.answers.select_for_update().filter(decision=AnswerDecision.PENDING).latest("submitted_at", "id")


def order_return(*, order: SupervisionOrder, by, comment: str) -> SupervisionOrder:
    """SASAC sends the answer back with a comment; the liaisons must answer again."""
    comment = comment.strip()
    if not comment:
        raise FollowupError(_("退回须填写审核意见。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        order = _lock(order)
        answer = _pending_answer(order)
        answer.decision = AnswerDecision.RETURNED
        answer.review_comment, answer.reviewed_by, answer.reviewed_at = comment, by, timezone.now()
        answer.save()
        order.status = OrderStatus.RETURNED
        order.version += 1
        _save(order, by=by, reason=stored_reason(gettext_noop("退回重办:%(c)s"), c=comment))
        _tell(
            order,
            recipients=_liaisons(order),
            event=f"returned-{answer.pk}",
            subject=_("【督办单退回】%(number)s 的办理情况被退回") % {"number": order.number},
            body=_("督办单 %(number)s“%(title)s”的办理情况被退回,请按审核意见重新办理并反馈:%(c)s")
            % {"number": order.number, "title": order.title, "c": comment},
        )
    return order


def order_close(*, order: SupervisionOrder, by, note: str = "") -> SupervisionOrder:
    """SASAC accepts the answer and closes the order (办结); the enterprise and the instructing leader are told."""
    note = note.strip() or _("同意办结。")
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        order = _lock(order)
        answer = _pending_answer(order)
        now = timezone.now()
        answer.decision = AnswerDecision.ACCEPTED
        answer.review_comment, answer.reviewed_by, answer.reviewed_at = note, by, now
        answer.save()
        order.status = OrderStatus.CLOSED
        order.closed_at, order.closed_by, order.closing_note = now, by, note
        order.version += 1
        _save(order, by=by, reason=stored_reason(gettext_noop("办结:%(note)s"), note=note))
        _tell(
            order,
            recipients=_liaisons_and_instructing_leader(order),
            event="closed",
            subject=_("【督办单办结】%(number)s %(title)s") % {"number": order.number, "title": order.title},
            body=_("督办单 %(number)s“%(title)s”(%(enterprise)s)已办结。办结意见:%(note)s")
            % {"number": order.number, "title": order.title, "enterprise": order.enterprise.short_name, "note": note},
        )
    return order


def order_cancel(*, order: SupervisionOrder, by, reason: str) -> SupervisionOrder:
    """SASAC cancels (作废) an order issued by mistake: it stops being open and its reminders stop;
    its number is not reused. The enterprise and the instructing leader are told why."""
    reason = reason.strip()
    if not reason:
        raise FollowupError(_("作废须写明原因。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        order = _lock(order)
        if order.status not in OPEN_ORDER_STATUSES:
            raise FollowupError(_("该督办单已办结或已作废,不能再作废。"))
        order.status = OrderStatus.CANCELLED
        order.closed_at, order.closed_by, order.closing_note = timezone.now(), by, reason
        order.version += 1
        _save(order, by=by, reason=stored_reason(gettext_noop("作废:%(reason)s"), reason=reason))
        _tell(
            order,
            recipients=_liaisons_and_instructing_leader(order),
            event="cancelled",
            subject=_("【督办单作废】%(number)s %(title)s") % {"number": order.number, "title": order.title},
            body=_("督办单 %(number)s“%(title)s”(%(enterprise)s)已作废,无需再办理或反馈。原因:%(reason)s")
            % {
                "number": order.number,
                "title": order.title,
                "enterprise": order.enterprise.short_name,
                "reason": reason,
            },
        )
    return order
