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
from django.db.models import QuerySet
from django.http import Http404

from directives.models import Assignment
from enterprises.models import Enterprise, Role
from enterprises.selectors import enterprise_of, role_of
from progress.models import Evidence, ImplementationPlan, Milestone, MilestoneStatus, ProgressReport


def is_sasac(user) -> bool:
    return role_of(user) == Role.SASAC_STAFF


def is_leader(user) -> bool:
    return role_of(user) == Role.LEADER


def is_liaison(user) -> bool:
    return role_of(user) == Role.LIAISON


def sees_everything(user) -> bool:
    return role_of(user) in (Role.SASAC_STAFF, Role.LEADER)


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


def visible_evidence(user) -> QuerySet[Evidence]:
    return _scope(Evidence.objects.all(), user, "report__milestone__assignment__enterprise")


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


def get_evidence_for_user(user, evidence_id: int) -> Evidence:
    return _get_or_404(visible_evidence(user), pk=evidence_id)


def can_edit_enterprise(user, enterprise: Enterprise) -> bool:
    """Liaisons write their own enterprise's plan, milestones and reports."""
    return is_liaison(user) and enterprise_of(user) == enterprise


def can_report(user, milestone: Milestone) -> bool:
    return can_edit_enterprise(user, milestone.assignment.enterprise) and milestone.status == MilestoneStatus.OPEN


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
