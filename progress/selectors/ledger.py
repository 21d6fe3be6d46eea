"""Reads of the ledger workflow: the enterprise workspace, the review queue, a milestone's history.

Every function takes querysets already scoped by ``progress.scoping``; none filters on its own.
Query counts do not grow with the number of rows (tests pin them).
"""

import datetime
from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from directives.models import Assignment, Directive
from enterprises.models import Enterprise
from enterprises.names import person_name
from progress.forms.bounds import positive_int
from progress.health import HEALTH_LABELS, annotate_health
from progress.history_reasons import render_reason
from progress.models import (
    ImplementationPlan,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    ProgressReport,
    RequestState,
    ReviewState,
)
from progress.selectors.display import field_display
from progress.selectors.requests import describe_changes

_PENDING_REQUESTS = Prefetch(
    "requests", queryset=MilestoneRequest.objects.filter(state=RequestState.PENDING), to_attr="pending_requests"
)


@dataclass
class DirectiveGroup:
    directive: Directive
    assignments: list[Assignment]


@dataclass
class WorkspacePage:
    groups: list[DirectiveGroup]
    page: Page  # of milestone ids, in directive order


# The grouped workspace shows this many milestones a page: the largest enterprise has hundreds.
WORKSPACE_PAGE_SIZE = 60


def workspace_groups(
    assignments: QuerySet[Assignment], *, health: str | None = None, page: str | int | None = 1
) -> WorkspacePage:
    """One page of the enterprise's assignments grouped by directive, each with its milestones (health annotated).

    Milestones carry ``health``, ``health_label``, ``latest_report`` and ``pending`` (the pending
    request, or None), with no extra query per row. The pages cut the milestones in directive order;
    assignments with no milestone yet show on the first.
    """
    milestones = annotate_health(Milestone.objects.select_related("latest_report"), select=False)
    if health in HEALTH_LABELS:
        milestones = milestones.filter(health=health)
    in_order = milestones.filter(assignment__in=assignments.values("pk")).order_by(
        "assignment__directive__position", "assignment_id", "due_date", "id"
    )
    milestone_page = Paginator(in_order.values_list("pk", flat=True), WORKSPACE_PAGE_SIZE).get_page(page)
    ids = list(milestone_page.object_list)
    shown = annotate_health(Milestone.objects.select_related("latest_report")).filter(pk__in=ids)
    on_page = Q(milestones__in=ids)
    if milestone_page.number == 1 and health not in HEALTH_LABELS:
        on_page |= Q(milestones__isnull=True)
    assignments = (
        assignments.filter(pk__in=assignments.filter(on_page).values("pk"))
        .select_related("directive", "directive__parent", "enterprise")
        .prefetch_related(
            Prefetch("milestones", queryset=shown.prefetch_related(_PENDING_REQUESTS).order_by("due_date", "id")),
            "directive__indicators",
        )
        .order_by("directive__position", "id")
    )
    groups: dict[int, DirectiveGroup] = {}
    for assignment in assignments:
        for milestone in assignment.milestones.all():
            milestone.health_label = HEALTH_LABELS[milestone.health]
            milestone.pending = next(iter(milestone.pending_requests), None)
            # The row template links back to the assignment without another query.
            milestone.assignment = assignment
        group = groups.setdefault(assignment.directive_id, DirectiveGroup(assignment.directive, []))
        group.assignments.append(assignment)
    return WorkspacePage(groups=list(groups.values()), page=milestone_page)


def due_this_month(milestones: QuerySet[Milestone], *, period: datetime.date, limit: int) -> tuple[int, list]:
    """Open milestones with no report for ``period`` (本月待报送): how many, and the first ``limit`` by due date.

    Each listed milestone carries ``latest_report`` (last month's, to start from).
    """
    pending = milestones.filter(status=MilestoneStatus.OPEN).exclude(
        Exists(ProgressReport.objects.filter(milestone=OuterRef("pk"), period=period))
    )
    # One query: each listed row carries the count of them all.
    listed = list(
        pending.select_related("latest_report")
        .annotate(pending_total=Window(Count("pk")))
        .order_by("due_date", "id")[:limit]
    )
    return (listed[0].pending_total if listed else 0), listed


def milestone_row(milestone_qs: QuerySet[Milestone], milestone_id: int) -> Milestone:
    """One workspace row (after an inline change), with the same annotations as the list."""
    milestone = (
        annotate_health(milestone_qs.select_related("latest_report", "assignment__enterprise", "assignment__directive"))
        .prefetch_related(_PENDING_REQUESTS)
        .get(pk=milestone_id)
    )
    milestone.health_label = HEALTH_LABELS[milestone.health]
    milestone.pending = next(iter(milestone.pending_requests), None)
    return milestone


def plan_of(enterprise: Enterprise) -> ImplementationPlan | None:
    return ImplementationPlan.objects.filter(enterprise=enterprise).select_related("reviewed_by").first()


def returned_reports(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Reports SASAC sent back: the liaison sees them at the top of the workspace, comment first."""
    return (
        reports.filter(review_state=ReviewState.RETURNED)
        .select_related("milestone", "reviewed_by")
        .order_by("reviewed_at", "id")
    )


def review_queue(
    reports: QuerySet[ProgressReport], *, enterprise: str = "", directive: str = ""
) -> QuerySet[ProgressReport]:
    """Pending reports, oldest submission first, optionally for one enterprise (code) or directive (id)."""
    queue = reports.filter(review_state=ReviewState.PENDING)
    if enterprise:
        queue = queue.filter(milestone__assignment__enterprise__code=enterprise)
    if positive_int(directive):
        queue = queue.filter(milestone__assignment__directive_id=positive_int(directive))
    return (
        queue.select_related("milestone__assignment__enterprise", "milestone__assignment__directive", "submitted_by")
        .prefetch_related("evidence", "indicator_values__indicator")
        .order_by("submitted_at", "id")
    )


def reports_of_milestone(milestone: Milestone) -> QuerySet[ProgressReport]:
    return (
        milestone.reports.select_related("submitted_by", "reviewed_by")
        .prefetch_related("evidence", "indicator_values__indicator")
        .order_by("-period")
    )


# --- history ------------------------------------------------------------------------

# Bookkeeping columns that change on every save and say nothing to a reader.
_NOISE = {
    "version",
    "updated_at",
    "created_at",
    "id",
    "latest_report",
    "latest_report_at",
    "latest_review_state",
    "accepted_report",
    "accepted_report_at_risk",
    "accepted_report_at",
    "forecast_at_risk",
}


@dataclass
class HistoryChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    reason: str
    changes: list[HistoryChange] = field(default_factory=list)


# Fields whose model verbose name is not yet a Chinese label.
_LABELS = {
    "closed_by": gettext_lazy("销号人"),
    "reviewed_by": gettext_lazy("审核人"),
    "submitted_by": gettext_lazy("报送人"),
}


def _label(model, name: str) -> str:
    verbose_name = model._meta.get_field(name).verbose_name
    if name in _LABELS and verbose_name == name.replace("_", " "):
        return str(_LABELS[name])
    return str(verbose_name)


def _action(history_type: str) -> str:
    return {
        "+": pgettext("history action", "新建"),
        "~": pgettext("history action", "修改"),
        "-": pgettext("history action", "删除"),
    }[history_type]


def _fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in _NOISE and not (f.is_relation and f.related_model is not get_user_model())
    ]


def _entries_for(records: list, subject_of, users: dict[int, str]) -> list[HistoryEntry]:
    """Turn one object's history records (oldest first) into entries with before/after pairs."""
    entries = []
    if not records:
        return entries
    model = records[0].instance_type
    names = _fields(model)
    first = records[0]
    initial = {n: getattr(first, model._meta.get_field(n).attname) for n in names}
    created = HistoryEntry(
        when=first.history_date,
        who=users.get(first.history_user_id, "—"),
        subject=subject_of(first),
        # Rows loaded in bulk have no creation record: their first record is the state then.
        action=_action(first.history_type) if first.history_type != "~" else _("最早记录"),
        reason=render_reason(first.history_change_reason),
        changes=[
            HistoryChange(_label(model, n), "—", field_display(model, n, value, users))
            for n, value in initial.items()
            if value not in (None, "", False)
        ],
    )
    entries.append(created)
    for old, new in pairwise(records):
        delta = new.diff_against(old, included_fields=names)
        entries.append(
            HistoryEntry(
                when=new.history_date,
                who=users.get(new.history_user_id, "—"),
                subject=subject_of(new),
                action=_action(new.history_type),
                reason=render_reason(new.history_change_reason),
                changes=[
                    HistoryChange(
                        _label(model, c.field),
                        field_display(model, c.field, c.old, users),
                        field_display(model, c.field, c.new, users),
                    )
                    for c in delta.changes
                ],
            )
        )
    return entries


# What a decision on a request changes, shown before -> after.
_REQUEST_DECISION_FIELDS = ["state", "decision_comment", "shortfall_reason"]


def _request_entries(records: list, users: dict[int, str]) -> list[HistoryEntry]:
    """One request's history (oldest first): its filing with the original commitment beside what
    was asked, then each decision with its state and comment before -> after."""
    model = records[0].instance_type
    first = records[0]
    subject = first.get_kind_display()
    entries = [
        HistoryEntry(
            when=first.history_date,
            who=users.get(first.history_user_id, "—"),
            subject=subject,
            action=pgettext("history action", "提出"),
            reason=first.reason,
            changes=[HistoryChange(c.label, c.original, c.proposed) for c in describe_changes(first)],
        )
    ]
    for old, new in pairwise(records):
        delta = new.diff_against(old, included_fields=_REQUEST_DECISION_FIELDS)
        entries.append(
            HistoryEntry(
                when=new.history_date,
                who=users.get(new.history_user_id, "—"),
                subject=subject,
                action=_action(new.history_type),
                reason=render_reason(new.history_change_reason),
                changes=[
                    HistoryChange(
                        _label(model, c.field),
                        field_display(model, c.field, c.old, users),
                        field_display(model, c.field, c.new, users),
                    )
                    for c in delta.changes
                ],
            )
        )
    return entries


def milestone_history(milestone: Milestone) -> list[HistoryEntry]:
    """Every change to the milestone, its reports, its requests and its enterprise's plan, newest first."""
    milestone_records = list(milestone.history.order_by("history_date", "history_id"))
    report_records = list(
        ProgressReport.history.filter(milestone_id=milestone.pk).order_by("id", "history_date", "history_id")
    )
    request_records = list(
        MilestoneRequest.history.filter(milestone_id=milestone.pk).order_by("id", "history_date", "history_id")
    )
    plan_records = list(
        ImplementationPlan.history.filter(enterprise_id=milestone.assignment.enterprise_id).order_by(
            "history_date", "history_id"
        )
    )
    user_ids = {r.history_user_id for r in milestone_records + report_records + request_records + plan_records}
    for r in milestone_records:
        user_ids.add(r.closed_by_id)
    for r in report_records:
        user_ids.update((r.submitted_by_id, r.reviewed_by_id))
    for r in plan_records:
        user_ids.add(r.reviewed_by_id)
    user_ids.discard(None)
    users = {
        u.pk: person_name(u) for u in get_user_model().objects.filter(pk__in=user_ids)
    }
    entries = _entries_for(milestone_records, lambda r: _("时间节点"), users)
    for records in _by_id(report_records):
        entries += _entries_for(records, lambda r: _("进展报送 %(p)s") % {"p": f"{r.period:%Y-%m}"}, users)
    for records in _by_id(request_records):
        entries += _request_entries(records, users)
    entries += _entries_for(plan_records, lambda r: _("实施方案"), users)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _by_id(records: list) -> list[list]:
    """History records grouped by the row they record, each group oldest first."""
    grouped: dict[int, list] = {}
    for record in records:
        grouped.setdefault(record.id, []).append(record)
    return list(grouped.values())
