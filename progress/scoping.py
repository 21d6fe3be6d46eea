"""Who may see and do what: the one place access is decided.

Every view, export, API endpoint, task and admin queryset asks this module; none
filters on its own. Rules:

- SASAC staff see everything and do SASAC's work (review, close, urge, rules).
- Leaders see everything and change nothing: a write attempt is a 403.
- A liaison sees only their own enterprise; anything else is a 404, the same answer
  as for a row that does not exist, so ids reveal nothing.
- A user with no role sees nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from directives.models import Assignment
from enterprises.models import Enterprise, Role
from enterprises.selectors import enterprise_of, role_of
from progress import workflow
from progress.models import (
    Circular,
    CircularStatus,
    Evidence,
    ImplementationPlan,
    Instruction,
    Milestone,
    MilestoneRequest,
    OrderEvidence,
    ProgressReport,
    RequestState,
    SupervisionOrder,
)


def is_sasac(user) -> bool:
    return role_of(user) == Role.SASAC_STAFF


def is_leader(user) -> bool:
    return role_of(user) == Role.LEADER


def is_liaison(user) -> bool:
    return role_of(user) == Role.LIAISON


def sees_everything(user) -> bool:
    return role_of(user) in (Role.SASAC_STAFF, Role.LEADER)


def cache_scope(user) -> str:
    """Who may share a cached figure with ``user`` (``progress.ledger_cache``): SASAC and leaders
    see the same city, a liaison shares their enterprise's figures only."""
    if sees_everything(user):
        return "city"
    if is_liaison(user):
        return f"enterprise-{user.profile.enterprise_id}"
    return "nobody"


def _scope(queryset: QuerySet, user, enterprise_path: str) -> QuerySet:
    if sees_everything(user):
        return queryset
    if is_liaison(user):
        return queryset.filter(**{enterprise_path: enterprise_of(user).pk})
    return queryset.none()


def visible_enterprises(user) -> QuerySet[Enterprise]:
    return _scope(Enterprise.objects.all(), user, "pk")


def visible_assignments(user) -> QuerySet[Assignment]:
    return _scope(Assignment.objects.all(), user, "enterprise")


def visible_plans(user) -> QuerySet[ImplementationPlan]:
    return _scope(ImplementationPlan.objects.all(), user, "enterprise")


def visible_milestones(user) -> QuerySet[Milestone]:
    return _scope(Milestone.objects.all(), user, "assignment__enterprise")


def visible_reports(user) -> QuerySet[ProgressReport]:
    return _scope(ProgressReport.objects.all(), user, "milestone__assignment__enterprise")


def visible_requests(user) -> QuerySet[MilestoneRequest]:
    return _scope(MilestoneRequest.objects.all(), user, "milestone__assignment__enterprise")


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence of a report or of a closure request, of what the user may see."""
    evidence = Evidence.objects.all()
    if sees_everything(user):
        return evidence
    if is_liaison(user):
        enterprise = enterprise_of(user).pk
        return evidence.filter(
            Q(report__milestone__assignment__enterprise=enterprise)
            | Q(request__milestone__assignment__enterprise=enterprise)
        )
    return evidence.none()


def visible_instructions(user) -> QuerySet[Instruction]:
    """Leaders' instructions (批示) are SASAC's internal work: SASAC staff and leaders see them all,
    a liaison none (the enterprise hears of one through a supervision order)."""
    return Instruction.objects.all() if sees_everything(user) else Instruction.objects.none()


def visible_orders(user) -> QuerySet[SupervisionOrder]:
    """Supervision orders (督办单): a liaison sees only those to its own enterprise."""
    return _scope(SupervisionOrder.objects.all(), user, "enterprise")


def visible_order_evidence(user) -> QuerySet[OrderEvidence]:
    return _scope(OrderEvidence.objects.all(), user, "answer__order__enterprise")


def visible_circulars(user) -> QuerySet[Circular]:
    """Circulars (督办通报): SASAC staff see drafts and issued ones; leaders the issued ones."""
    if is_sasac(user):
        return Circular.objects.all()
    if is_leader(user):
        return Circular.objects.filter(status=CircularStatus.ISSUED)
    return Circular.objects.none()


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def get_enterprise_for_user(user, code: str) -> Enterprise:
    """The enterprise with ``code`` if the user may see it; 404 for missing and not-yours alike."""
    return _get_or_404(visible_enterprises(user), code=code)


def get_assignment_for_user(user, assignment_id: int) -> Assignment:
    return _get_or_404(visible_assignments(user).select_related("enterprise", "directive"), pk=assignment_id)


def get_milestone_for_user(user, milestone_id: int, queryset: QuerySet | None = None) -> Milestone:
    base = queryset if queryset is not None else Milestone.objects.all()
    return _get_or_404(_scope(base, user, "assignment__enterprise"), pk=milestone_id)


def get_report_for_user(user, report_id: int, queryset: QuerySet | None = None) -> ProgressReport:
    base = queryset if queryset is not None else ProgressReport.objects.all()
    return _get_or_404(_scope(base, user, "milestone__assignment__enterprise"), pk=report_id)


def get_request_for_user(user, request_id: int) -> MilestoneRequest:
    return _get_or_404(
        visible_requests(user).select_related("milestone__assignment__enterprise", "milestone__assignment__directive"),
        pk=request_id,
    )


def get_evidence_for_user(user, evidence_id: int) -> Evidence:
    return _get_or_404(visible_evidence(user), pk=evidence_id)


def get_instruction_for_user(user, instruction_id: int, queryset: QuerySet | None = None) -> Instruction:
    base = queryset if queryset is not None else Instruction.objects.all()
    return _get_or_404(base if sees_everything(user) else base.none(), pk=instruction_id)


def get_order_for_user(user, order_id: int, queryset: QuerySet | None = None) -> SupervisionOrder:
    base = queryset if queryset is not None else SupervisionOrder.objects.all()
    return _get_or_404(_scope(base, user, "enterprise"), pk=order_id)


def get_order_evidence_for_user(user, evidence_id: int) -> OrderEvidence:
    return _get_or_404(visible_order_evidence(user), pk=evidence_id)


def get_circular_for_user(user, circular_id: int) -> Circular:
    return _get_or_404(visible_circulars(user), pk=circular_id)


def can_edit_enterprise(user, enterprise: Enterprise) -> bool:
    """Liaisons write their own enterprise's plan, milestones and reports."""
    return is_liaison(user) and enterprise_of(user) == enterprise


def can_report(user, milestone: Milestone) -> bool:
    return can_edit_enterprise(user, milestone.assignment.enterprise) and workflow.allows(
        workflow.MILESTONE, milestone.status, "report"
    )


def milestone_actions(user, milestone: Milestone, *, committed: bool, pending=None) -> frozenset[str]:
    """What ``user`` may do to ``milestone`` now, by role and by the transitions table: the
    buttons a page shows. ``committed``: the enterprise's plan is approved, so changes are
    requests; ``pending``: the milestone's pending request, if any.

    Liaison: report, edit, withdraw (plan not approved); request_extension, request_change,
    request_withdrawal (approved); request_closure; cancel_request (its pending request).
    SASAC: decide (the pending request), reopen. Leaders: nothing.
    """
    state = milestone.status
    actions = set()
    if can_edit_enterprise(user, milestone.assignment.enterprise):
        if workflow.allows(workflow.MILESTONE, state, "report"):
            actions.add("report")
        if pending is not None:
            if workflow.allows(workflow.REQUEST, pending.state, "cancel"):
                actions.add("cancel_request")
        else:
            if committed and workflow.allows(workflow.MILESTONE, state, "request"):
                actions |= {"request_extension", "request_change", "request_withdrawal"}
            if not committed:
                actions |= {a for a in ("edit", "withdraw") if workflow.allows(workflow.MILESTONE, state, a)}
            if workflow.allows(workflow.MILESTONE, state, "request_closure"):
                actions.add("request_closure")
    if is_sasac(user):
        if pending is not None and pending.state == RequestState.PENDING:
            actions.add("decide")
        if workflow.allows(workflow.MILESTONE, state, "reopen"):
            actions.add("reopen")
    return frozenset(actions)


def can_import_ledger(user, enterprise: Enterprise) -> bool:
    """A liaison imports its own enterprise's monthly ledger: importing files reports and adds
    milestones, which only the enterprise itself does (SASAC reviews them)."""
    return can_edit_enterprise(user, enterprise)


def manages_all_api_tokens(user) -> bool:
    """SASAC staff see and revoke everyone's API tokens and make them for anyone (issue 13)."""
    return is_sasac(user)


def can_manage_api_tokens_of(user, owner) -> bool:
    """Anyone with a role manages their own API tokens; SASAC staff anyone's."""
    return role_of(user) is not None and (user.pk == owner.pk or manages_all_api_tokens(user))


def require_edit_enterprise(user, enterprise: Enterprise) -> None:
    """Call after the enterprise was fetched through this module: a visible but read-only user gets 403."""
    if not can_edit_enterprise(user, enterprise):
        raise PermissionDenied


def require_import_ledger(user, enterprise: Enterprise) -> None:
    if not can_import_ledger(user, enterprise):
        raise PermissionDenied


def require_role(user) -> None:
    """Pages every role may open (scoped): a signed-in user with no role gets 403."""
    if role_of(user) is None:
        raise PermissionDenied


def require_sees_everything(user) -> None:
    """City-wide views (charts, assessment, all-SOE exports): SASAC staff and leaders only."""
    if not sees_everything(user):
        raise PermissionDenied


def require_sasac(user) -> None:
    """SASAC's own work (review, close, urge, rules). Leaders and liaisons get 403."""
    if not is_sasac(user):
        raise PermissionDenied


def can_write_instruction(user) -> bool:
    """Leaders write instructions (批示); they decide nothing else."""
    return is_leader(user)


def require_write_instruction(user) -> None:
    if not can_write_instruction(user):
        raise PermissionDenied


def can_answer_order(user, order: SupervisionOrder) -> bool:
    """The enterprise's liaisons sign for and answer an order to it."""
    return can_edit_enterprise(user, order.enterprise)


def require_answer_order(user, order: SupervisionOrder) -> None:
    if not can_answer_order(user, order):
        raise PermissionDenied


def plan_actions(user, enterprise: Enterprise, plan: ImplementationPlan | None) -> frozenset[str]:
    """The plan buttons ``user`` gets: the liaison writes ("edit"; "revise" once approved) and
    submits, SASAC approves or returns a submitted plan (``progress.workflow``)."""
    if plan is None:
        return frozenset({"edit"}) if can_edit_enterprise(user, enterprise) else frozenset()
    actions = set()
    if can_edit_enterprise(user, enterprise):
        actions |= {a for a in ("edit", "revise", "submit") if workflow.allows(workflow.PLAN, plan.status, a)}
        if "revise" in actions:
            actions.add("edit")
    if is_sasac(user):
        actions |= {a for a in ("approve", "return") if workflow.allows(workflow.PLAN, plan.status, a)}
    return frozenset(actions)
