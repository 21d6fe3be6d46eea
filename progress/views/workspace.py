"""The enterprise workspace (台账) and its implementation plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.selectors import role_of
from progress import scoping, workflow
from progress.forms.ledger import CommentForm, PlanForm, VersionForm
from progress.health import HEALTH_CHOICES, today
from progress.ledger_cache import cached_read
from progress.models import PlanStatus
from progress.orders import selectors as order_selectors
from progress.selectors import ledger as selectors
from progress.services import ledger as services
from progress.views.board import milestone_table_context
from progress.views.helpers import act, back, conflict_context

# 本月待报送 lists the first few by due date; the count says how many there are.
DUE_THIS_MONTH_LISTED = 8


@login_required
def workspace(request, code: str):
    """The ledger grouped by directive a page at a time, or (``?view=table``) the board's sortable table,
    scoped; above it, the milestones with no report yet for this month (本月待报送)."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    plan = selectors.plan_of(enterprise)
    health = request.GET.get("health", "")
    table_view = request.GET.get("view") == "table"
    milestones = scoping.visible_milestones(request.user).filter(assignment__enterprise=enterprise)
    if table_view:
        table = milestone_table_context(request, base=milestones, exclude=("enterprise",))
        groups_html = ""
    else:
        table = {}
        page = request.GET.get("page")
        # Everyone of a role and scope sees the same rows and buttons (the row actions follow the
        # role, the enterprise and the milestone): made once per ledger change.
        groups_html = cached_read(
            "workspace-groups",
            role_of(request.user),
            scoping.cache_scope(request.user),
            enterprise.pk,
            health,
            page,
            compute=lambda: _groups_html(request.user, enterprise, plan, health=health, page=page),
        )
    period = services.current_period()
    due_count, due_listed = selectors.due_this_month(milestones, period=period, limit=DUE_THIS_MONTH_LISTED)
    return render(
        request,
        "progress/workspace_detail.html",
        {
            **table,
            "table_view": table_view,
            "enterprise": enterprise,
            "plan": plan,
            "groups_html": groups_html,
            "period": period,
            "due_count": due_count,
            "due_listed": due_listed,
            "returned": selectors.returned_reports(
                scoping.visible_reports(request.user).filter(milestone__assignment__enterprise=enterprise)
            ),
            "can_edit": scoping.can_edit_enterprise(request.user, enterprise),
            "can_import": scoping.can_import_ledger(request.user, enterprise),
            "plan_actions": scoping.plan_actions(request.user, enterprise, plan),
            "health": health,
            "orders": order_selectors.decorate(
                order_selectors.open_orders(scoping.visible_orders(request.user).filter(enterprise=enterprise)),
                on=today(),
            ),
            "can_instruct": scoping.can_write_instruction(request.user),
            "can_issue_order": scoping.is_sasac(request.user),
            "instruct_query": f"enterprise={enterprise.code}",
        },
    )


def _groups_html(user, enterprise, plan, *, health: str, page: str | None) -> str:
    grouped = selectors.workspace_groups(
        scoping.visible_assignments(user).filter(enterprise=enterprise), health=health, page=page
    )
    committed = plan is not None and plan.status == PlanStatus.APPROVED
    for group in grouped.groups:
        for assignment in group.assignments:
            for milestone in assignment.milestones.all():
                milestone.actions = scoping.milestone_actions(
                    user, milestone, committed=committed, pending=milestone.pending
                )
    return render_to_string(
        "progress/_workspace_groups.html",
        {
            "groups": grouped.groups,
            "page": grouped.page,
            "health": health,
            "health_choices": HEALTH_CHOICES,
            "can_edit": scoping.can_edit_enterprise(user, enterprise),
        },
    )


@login_required
def plan_edit(request, code: str):
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    scoping.require_edit_enterprise(request.user, enterprise)
    plan = selectors.plan_of(enterprise)
    if plan is not None and "edit" not in scoping.plan_actions(request.user, enterprise, plan):
        messages.error(request, workflow.refusal(workflow.PLAN, plan.status, "edit"))
        return redirect("progress:workspace", code=code)
    require_revision = plan is not None and workflow.allows(workflow.PLAN, plan.status, "revise")
    form = PlanForm(request.POST or None, instance=plan, require_revision=require_revision)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(
                enterprise=enterprise,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                revision_note=form.cleaned_data.get("revision_note", ""),
                **{name: form.cleaned_data[name] for name in services.PLAN_FIELDS},
            )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("实施方案已保存。"))
            return redirect("progress:workspace", code=code)
    return render(
        request,
        "progress/plan_form.html",
        {"enterprise": enterprise, "plan": plan, "form": form, "conflict": conflict},
    )


def _plan_for(request, code: str):
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    plan = selectors.plan_of(enterprise)
    if plan is None:
        raise Http404
    return enterprise, plan


@require_POST
@login_required
def plan_submit(request, code: str):
    enterprise, plan = _plan_for(request, code)
    scoping.require_edit_enterprise(request.user, enterprise)
    form = VersionForm(request.POST)
    form.is_valid()
    act(
        request,
        lambda: services.plan_submit(plan=plan, by=request.user, expected_version=form.cleaned_data.get("version")),
        done=_("实施方案已提交国资委审核。"),
    )
    return redirect("progress:workspace", code=code)


@require_POST
@login_required
def plan_review(request, code: str, decision: str):
    """SASAC approves or returns a submitted plan, from the queue or the workspace."""
    enterprise, plan = _plan_for(request, code)
    scoping.require_sasac(request.user)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    elif decision == "approve":
        act(
            request,
            lambda: services.plan_approve(
                plan=plan,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            ),
            done=_("已批准%(e)s的实施方案。") % {"e": enterprise.short_name},
        )
    else:
        act(
            request,
            lambda: services.plan_return(
                plan=plan,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            ),
            done=_("已退回%(e)s的实施方案。") % {"e": enterprise.short_name},
        )
    return back(request, reverse("progress:workspace", kwargs={"code": code}))
