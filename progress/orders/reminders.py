"""The daily scan's rules for follow-up actions: supervision orders waiting for an answer and
instructions SASAC handles itself, told before their due date and after it like milestones.

``progress.reminders.services.plan_reminders`` calls ``plan_followup_reminders`` with the days
landing on today; the same rule (offsets, repeat, escalation) and the same unique keys apply,
so a second scan adds nothing. Keys carry the order's or instruction's id (``o12-d3``, ``i4+1``).
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from progress.instructions.services import instruction_url
from progress.models import Assignee, Instruction, InstructionStatus, NotificationKind, SupervisionOrder
from progress.models import OrderStatus as Status
from progress.orders.services import order_url
from progress.reminders.schedule import PlannedNotice
from progress.reminders.workdays import first_working_day_after

WAITING_FOR_ANSWER = (Status.ISSUED, Status.SIGNED, Status.RETURNED)


def _due_step(offsets: list[int], due: datetime.date, landing: set[datetime.date]) -> int | None:
    steps = [o for o in offsets if due - datetime.timedelta(days=o) in landing]
    return min(steps) if steps else None


def _overdue_steps(rule, due: datetime.date, landing: list[datetime.date], today: datetime.date) -> tuple[list, bool]:
    """The overdue repeats landing today and whether escalation is due, as the milestone scan decides them."""
    days = [(day - due).days for day in landing]
    if today == first_working_day_after(due):
        days += range(1, (today - due).days)
    repeats = [
        n for n in days if n >= 1 and (n == 1 or (rule.overdue_repeat_days and (n - 1) % rule.overdue_repeat_days == 0))
    ]
    escalating = rule.escalate_after_days > 0 and (landing[-1] - due).days >= rule.escalate_after_days
    return repeats, escalating


def _order_payload(order: dict) -> dict:
    stub = SupervisionOrder(pk=order["id"], year=order["year"], serial=order["serial"])
    return {
        "order_id": order["id"],
        "order_number": stub.number,
        "enterprise": order["enterprise__short_name"],
        "due_date": order["answer_due"].isoformat(),
        "url": order_url(stub),
        "path": reverse("progress:order_detail", args=[order["id"]]),
    }


def _plan_orders(rule, offsets, landing, today, liaisons, sasac_ids) -> list[PlannedNotice]:
    landing_set = set(landing)
    planned = []
    rows = SupervisionOrder.objects.filter(
        status__in=WAITING_FOR_ANSWER, answer_due__lte=landing[-1] + datetime.timedelta(days=max(offsets, default=0))
    ).values("id", "year", "serial", "title", "answer_due", "enterprise_id", "enterprise__short_name")
    for order in rows:
        due = order["answer_due"]
        payload = _order_payload(order)
        values = {
            "number": payload["order_number"],
            "title": order["title"],
            "enterprise": order["enterprise__short_name"],
            "due": due.isoformat(),
            "days": abs((due - today).days),
        }
        recipients = liaisons.get(order["enterprise_id"], [])
        if due >= today:
            offset = _due_step(offsets, due, landing_set)
            if offset is None:
                continue
            subject = _("【督办单到期提醒】%(number)s 须于 %(due)s 前反馈") % values
            body = _("督办单 %(number)s“%(title)s”的反馈时限为 %(due)s,还有 %(days)s 天,请及时反馈办理情况。") % values
            planned += [
                PlannedNotice(
                    r,
                    NotificationKind.SUPERVISION_ORDER,
                    None,
                    due,
                    f"o{order['id']}-d{offset}",
                    subject,
                    body,
                    payload,
                )
                for r in recipients
            ]
            continue
        repeats, escalating = _overdue_steps(rule, due, landing, today)
        if repeats:
            subject = _("【督办单逾期】%(number)s 已逾期 %(days)s 天未反馈") % values
            body = _("督办单 %(number)s“%(title)s”应于 %(due)s 前反馈,已逾期 %(days)s 天,请立即反馈办理情况。") % values
            planned += [
                PlannedNotice(
                    r,
                    NotificationKind.SUPERVISION_ORDER,
                    None,
                    due,
                    f"o{order['id']}+{min(repeats)}",
                    subject,
                    body,
                    payload,
                )
                for r in recipients
            ]
        if escalating:
            subject = _("【督办单逾期上报】%(enterprise)s:%(number)s 已逾期 %(days)s 天") % values
            body = _("%(enterprise)s 对督办单 %(number)s“%(title)s”逾期 %(days)s 天未反馈,请督办。") % values
            planned += [
                PlannedNotice(
                    r, NotificationKind.SUPERVISION_ORDER, None, due, f"o{order['id']}-e", subject, body, payload
                )
                for r in sasac_ids
            ]
    return planned


def _plan_instructions(rule, offsets, landing, today) -> list[PlannedNotice]:
    landing_set = set(landing)
    planned = []
    rows = Instruction.objects.filter(
        status=InstructionStatus.ASSIGNED,
        assignee=Assignee.SASAC,
        handler__isnull=False,
        due_date__lte=landing[-1] + datetime.timedelta(days=max(offsets, default=0)),
    ).values("id", "text", "due_date", "handler_id")
    for row in rows:
        due = row["due_date"]
        payload = {
            "instruction_id": row["id"],
            "due_date": due.isoformat(),
            "url": instruction_url(Instruction(pk=row["id"])),
            "path": reverse("progress:instruction_detail", args=[row["id"]]),
        }
        values = {"text": row["text"][:30], "due": due.isoformat(), "days": abs((due - today).days)}
        if due >= today:
            offset = _due_step(offsets, due, landing_set)
            if offset is None:
                continue
            step, subject = f"i{row['id']}-d{offset}", _("【批示办理提醒】“%(text)s”须于 %(due)s 前办结") % values
        else:
            repeats, _escalating = _overdue_steps(rule, due, landing, today)
            if not repeats:
                continue
            step, subject = f"i{row['id']}+{min(repeats)}", _("【批示办理逾期】“%(text)s”已逾期 %(days)s 天") % values
        body = _("领导批示“%(text)s”由您办理,办理时限 %(due)s。") % {"text": row["text"], "due": values["due"]}
        planned.append(
            PlannedNotice(row["handler_id"], NotificationKind.INSTRUCTION, None, due, step, subject, body, payload)
        )
    return planned


def plan_followup_reminders(*, rule, landing, today, liaisons, sasac_ids) -> list[PlannedNotice]:
    """Every order and instruction reminder landing on ``today``. Call in the product's language."""
    offsets = sorted({int(o) for o in rule.offsets_days if int(o) >= 0})
    return [
        *_plan_orders(rule, offsets, landing, today, liaisons, sasac_ids),
        *_plan_instructions(rule, offsets, landing, today),
    ]
