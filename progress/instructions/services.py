"""Writes of leaders' instructions (批示): written by a leader, assigned and closed by SASAC.

Every function is keyword-only, assumes the caller authorised the user through
``progress.scoping``, and does the whole change in one transaction. A step the rules refuse
raises ``FollowupError`` with the message for the user, and changes nothing. Each step writes a
history row with its reason and tells whoever acts next (``progress.reminders.services.notify``).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from directives.models import Directive
from enterprises.models import Enterprise
from enterprises.names import person_name
from progress.history_reasons import stored_reason
from progress.models import (
    OPEN_ORDER_STATUSES,
    Assignee,
    Instruction,
    InstructionStatus,
    InstructionUpdate,
    Milestone,
    NotificationKind,
)
from progress.reminders import selectors as reminder_selectors
from progress.reminders.services import notify


class FollowupError(Exception):
    """A step on an instruction or an order that the rules refuse; ``str(error)`` is for the user."""


def instruction_url(instruction: Instruction) -> str:
    return settings.SITE_URL + reverse("progress:instruction_detail", args=[instruction.pk])


def _save(instance, *, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason
    instance.save()


def _lock(instruction: Instruction) -> Instruction:
    return Instruction.objects.select_for_update().get(pk=instruction.pk)


def _tell(instruction: Instruction, *, recipients: list[int], event: str, subject: str, body: str) -> None:
    notify(
        recipient_ids=recipients,
        kind=NotificationKind.INSTRUCTION,
        key=f"instruction-{instruction.pk}:{event}",
        subject=subject,
        body=body,
        url=instruction_url(instruction),
        # The in-app link stays on the site the user is on; e-mails use the absolute url.
        payload={
            "instruction_id": instruction.pk,
            "path": reverse("progress:instruction_detail", args=[instruction.pk]),
        },
    )


def subject_label(instruction: Instruction) -> str:
    """What the instruction is about, in a few words: the milestone, enterprise, directive or chart selection."""
    if instruction.milestone_id:
        return f"{instruction.milestone.assignment.enterprise.short_name} · {instruction.milestone.title}"
    if instruction.directive_id:
        return f"{instruction.directive.number} {instruction.directive.title}"
    if instruction.enterprise_id:
        return instruction.enterprise.short_name
    return instruction.selection_label or _("图表选择")


def instruction_create(
    *,
    author,
    text: str,
    milestone: Milestone | None = None,
    enterprise: Enterprise | None = None,
    directive: Directive | None = None,
    selection: str = "",
    selection_label: str = "",
) -> Instruction:
    """A leader's instruction; SASAC staff are told at once, since they assign it."""
    text = text.strip()
    if not text:
        raise FollowupError(_("请填写批示内容。"))
    if milestone is not None:
        enterprise = milestone.assignment.enterprise
    if milestone is None and enterprise is None and directive is None and not selection:
        raise FollowupError(_("批示须针对一个时间节点、企业、条款或图表中的选择。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        instruction = Instruction(
            author=author,
            text=text,
            milestone=milestone,
            enterprise=enterprise,
            directive=directive,
            selection=selection,
            selection_label=selection_label,
        )
        _save(instruction, by=author, reason=stored_reason(gettext_noop("领导批示")))
        name = person_name(author)
        _tell(
            instruction,
            recipients=reminder_selectors.user_ids_with_role("sasac_staff"),
            event="new",
            subject=_("【领导批示】%(name)s 批示:%(subject)s") % {"name": name, "subject": subject_label(instruction)},
            body=_("%(name)s 批示:“%(text)s”。请交办并确定办理时限。") % {"name": name, "text": text},
        )
    return instruction


def instruction_assign(
    *, instruction: Instruction, by, handler, due_date: datetime.date, note: str = ""
) -> Instruction:
    """SASAC handles the instruction itself: ``handler`` (an officer) by ``due_date``. Also re-assigns."""
    if due_date < timezone.localdate():
        raise FollowupError(_("办理时限不能早于今天。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        instruction = _lock(instruction)
        if instruction.status == InstructionStatus.DONE:
            raise FollowupError(_("该批示已办结。"))
        first = instruction.status == InstructionStatus.NEW
        instruction.status = InstructionStatus.ASSIGNED
        instruction.assignee = Assignee.SASAC
        instruction.handler = handler
        instruction.due_date = due_date
        if first:
            instruction.assigned_at, instruction.assigned_by = timezone.now(), by
        instruction.version += 1
        who, due = person_name(handler), due_date.isoformat()
        reason = (
            stored_reason(
                gettext_noop("交办:由%(who)s办理,时限 %(due)s。%(note)s"), who=who, due=due, note=note.strip()
            )
            if note.strip()
            else stored_reason(gettext_noop("交办:由%(who)s办理,时限 %(due)s"), who=who, due=due)
        )
        _save(instruction, by=by, reason=reason)
        if handler.pk != by.pk:
            _tell(
                instruction,
                recipients=[handler.pk],
                event=f"assigned-{instruction.version}",
                subject=_("【批示交办】请于 %(due)s 前办理领导批示") % {"due": due_date.isoformat()},
                body=_("领导批示“%(text)s”已交您办理,办理时限 %(due)s。")
                % {"text": instruction.text, "due": due_date.isoformat()},
            )
    return instruction


def instruction_follow_by_order(*, instruction: Instruction, by, answer_due: datetime.date) -> Instruction:
    """An order was issued for the instruction: it is being carried out by an enterprise.

    Call inside the transaction that issues the order. The instruction's due date is the
    latest answer date of its orders.
    """
    instruction = _lock(instruction)
    if instruction.status == InstructionStatus.DONE:
        raise FollowupError(_("该批示已办结,不能再据此下发督办单。"))
    if instruction.status == InstructionStatus.NEW:
        instruction.assigned_at, instruction.assigned_by = timezone.now(), by
        instruction.handler = by
    instruction.status = InstructionStatus.ASSIGNED
    instruction.assignee = Assignee.ENTERPRISE
    instruction.due_date = max(filter(None, [instruction.due_date, answer_due]))
    instruction.version += 1
    _save(instruction, by=by, reason=stored_reason(gettext_noop("转督办单办理")))
    return instruction


def instruction_add_update(*, instruction: Instruction, by, text: str) -> InstructionUpdate:
    """SASAC reports how the instruction is being carried out; the leader sees it on their page."""
    text = text.strip()
    if not text:
        raise FollowupError(_("请填写落实情况。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        instruction = _lock(instruction)
        if instruction.status == InstructionStatus.DONE:
            raise FollowupError(_("该批示已办结。"))
        update = InstructionUpdate.objects.create(instruction=instruction, text=text, written_by=by)
        _tell(
            instruction,
            recipients=[instruction.author_id],
            event=f"update-{update.pk}",
            subject=_("【批示落实情况】%(text)s") % {"text": instruction.text[:30]},
            body=text,
        )
    return update


def instruction_close(*, instruction: Instruction, by, note: str) -> Instruction:
    """SASAC closes (办结) an assigned instruction none of whose orders is still open (a cancelled
    one is not); the leader is told."""
    note = note.strip()
    if not note:
        raise FollowupError(_("办结须填写办结情况。"))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        instruction = _lock(instruction)
        if instruction.status == InstructionStatus.DONE:
            raise FollowupError(_("该批示已办结。"))
        if instruction.status == InstructionStatus.NEW:
            raise FollowupError(_("该批示尚未交办,请先交办。"))
        open_orders = [order.number for order in instruction.orders.filter(status__in=OPEN_ORDER_STATUSES)]
        if open_orders:
            raise FollowupError(_("据此下发的督办单尚未全部办结:%(orders)s。") % {"orders": _("、").join(open_orders)})
        instruction.status = InstructionStatus.DONE
        instruction.closed_at, instruction.closed_by, instruction.closing_note = timezone.now(), by, note
        instruction.version += 1
        _save(instruction, by=by, reason=stored_reason(gettext_noop("办结:%(note)s"), note=note))
        _tell(
            instruction,
            recipients=[instruction.author_id],
            event="done",
            subject=_("【批示已办结】%(text)s") % {"text": instruction.text[:30]},
            body=_("您的批示“%(text)s”已办结。办结情况:%(note)s") % {"text": instruction.text, "note": note},
        )
    return instruction
