"""Reads of instructions (批示): the leader's follow-up page, SASAC's list, one instruction's detail.

Every function takes querysets already scoped by ``progress.scoping``. Lists load a page of
instructions with their subjects, orders, answers and updates in a fixed number of queries.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet

from enterprises.names import person_name
from progress.instructions.health import FOLLOWUP_LABELS, followup_health
from progress.instructions.services import subject_label
from progress.models import Instruction, InstructionStatus, OrderAnswer, OrderStatus, SupervisionOrder
from progress.selectors.ledger import HistoryEntry, _entries_for


def order_health(order: SupervisionOrder, *, on: datetime.date) -> str:
    return followup_health(
        due=order.answer_due,
        done=order.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED),
        answered=order.status == OrderStatus.ANSWERED,
        on=on,
    )


def order_health_label(order: SupervisionOrder) -> str:
    """The label beside the light: a cancelled order reads 已作废, not 已办结."""
    if order.status == OrderStatus.CANCELLED:
        return OrderStatus.CANCELLED.label
    return FOLLOWUP_LABELS[order.health]


def instruction_health(instruction: Instruction, *, on: datetime.date) -> str:
    return followup_health(due=instruction.due_date, done=instruction.status == InstructionStatus.DONE, on=on)


def with_follow_up(instructions: QuerySet[Instruction]) -> QuerySet[Instruction]:
    """Instructions with what a list shows of each: subject, handler, orders with their answers, updates."""
    orders = SupervisionOrder.objects.select_related("enterprise").prefetch_related(
        Prefetch("answers", queryset=OrderAnswer.objects.order_by("submitted_at", "id"))
    )
    return instructions.select_related(
        "author", "handler", "milestone__assignment__enterprise", "enterprise", "directive"
    ).prefetch_related(Prefetch("orders", queryset=orders.order_by("serial")), "updates__written_by")


def decorate(instructions, *, on: datetime.date) -> list[Instruction]:
    """Attach ``health`` (with its label), ``subject`` and each order's health for the templates."""
    rows = list(instructions)
    for instruction in rows:
        instruction.health = instruction_health(instruction, on=on)
        instruction.health_label = FOLLOWUP_LABELS[instruction.health]
        instruction.subject = subject_label(instruction)
        instruction.latest_update = next(reversed(instruction.updates.all()), None)
        for order in instruction.orders.all():
            order.latest_answer = next(reversed(order.answers.all()), None)
            order.health = order_health(order, on=on)
            order.health_label = order_health_label(order)
    return rows


def instructions_filtered(instructions: QuerySet[Instruction], *, status: str = "", mine_of=None) -> QuerySet:
    """Newest first; ``status`` one of InstructionStatus; ``mine_of``: only this leader's."""
    if status in InstructionStatus.values:
        instructions = instructions.filter(status=status)
    if mine_of is not None:
        instructions = instructions.filter(author=mine_of)
    return with_follow_up(instructions).order_by("-created_at", "-id")


def status_counts(instructions: QuerySet[Instruction]) -> dict[str, int]:
    counts = dict.fromkeys(InstructionStatus.values, 0)
    for status, n in instructions.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts


def history_of(model_history: QuerySet, subject: str) -> list[HistoryEntry]:
    """The object's history, newest first, with user names resolved in one query."""
    records = list(model_history.order_by("history_date", "history_id"))
    user_fields = [
        f.attname
        for f in (records[0].instance_type._meta.concrete_fields if records else [])
        if f.is_relation and f.related_model is get_user_model()
    ]
    user_ids = {r.history_user_id for r in records} | {getattr(r, name) for r in records for name in user_fields}
    user_ids.discard(None)
    users = {u.pk: person_name(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    entries = _entries_for(records, lambda _record: subject, users)
    return sorted(entries, key=lambda e: e.when, reverse=True)
