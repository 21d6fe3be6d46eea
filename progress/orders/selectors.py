"""Reads of supervision orders (督办单): lists, one order, the orders on a milestone or enterprise,
the answers waiting for SASAC. Every function takes querysets scoped by ``progress.scoping``."""

import datetime

from django.db.models import Count, Prefetch, QuerySet

from progress.instructions.selectors import order_health, order_health_label
from progress.models import OPEN_ORDER_STATUSES, AnswerDecision, Milestone, OrderAnswer, OrderStatus, SupervisionOrder


def with_details(orders: QuerySet[SupervisionOrder]) -> QuerySet[SupervisionOrder]:
    return orders.select_related("enterprise", "issued_by", "signed_by", "instruction__author").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("assignment__directive").order_by("due_date")),
        Prefetch(
            "answers",
            queryset=OrderAnswer.objects.select_related("submitted_by", "reviewed_by")
            .prefetch_related("evidence")
            .order_by("submitted_at", "id"),
        ),
    )


def decorate(orders, *, on: datetime.date) -> list[SupervisionOrder]:
    rows = list(orders)
    for order in rows:
        order.health = order_health(order, on=on)
        order.health_label = order_health_label(order)
    return rows


def orders_filtered(orders: QuerySet[SupervisionOrder], *, status: str = "", enterprise: str = "") -> QuerySet:
    if status == "open":
        orders = orders.filter(status__in=OPEN_ORDER_STATUSES)
    elif status in OrderStatus.values:
        orders = orders.filter(status=status)
    if enterprise:
        orders = orders.filter(enterprise__code=enterprise)
    return orders.select_related("enterprise", "issued_by", "instruction").order_by("-year", "-serial")


def status_counts(orders: QuerySet[SupervisionOrder]) -> dict[str, int]:
    counts = dict.fromkeys(OrderStatus.values, 0)
    for status, n in orders.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts


def orders_on_milestone(orders: QuerySet[SupervisionOrder], milestone: Milestone) -> QuerySet[SupervisionOrder]:
    return orders.filter(milestones=milestone).select_related("enterprise").order_by("-year", "-serial")


def open_orders(orders: QuerySet[SupervisionOrder]) -> QuerySet[SupervisionOrder]:
    """Orders still waiting on someone, the most urgent answer date first."""
    return orders.filter(status__in=OPEN_ORDER_STATUSES).select_related("enterprise").order_by("answer_due", "serial")


def answers_to_review(orders: QuerySet[SupervisionOrder]) -> QuerySet[OrderAnswer]:
    """Answers waiting for SASAC's decision, oldest first (SASAC's queue). An order cancelled while
    its answer waited needs no decision."""
    return (
        OrderAnswer.objects.filter(
            decision=AnswerDecision.PENDING, order__status=OrderStatus.ANSWERED, order__in=orders.values("pk")
        )
        .select_related("order__enterprise", "submitted_by")
        .prefetch_related("evidence")
        .order_by("submitted_at", "id")
    )
