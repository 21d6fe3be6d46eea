"""The workflow's allowed transitions, in one table: (state, action) -> state.

Plans, milestones, reports and requests each have a machine here. The services ask
``next_state`` before they change anything and refuse what the table does not list; views
ask ``allows`` (through ``progress.scoping.milestone_actions``) to decide which buttons to
show. Who may take an action is ``progress.scoping``'s business; this table says only when.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from progress.models import MilestoneStatus, PlanStatus, RequestState, ReviewState

PLAN, MILESTONE, REPORT, REQUEST = "plan", "milestone", "report", "request"

TRANSITIONS: dict[str, dict[tuple[str, str], str]] = {
    PLAN: {
        (PlanStatus.DRAFT, "edit"): PlanStatus.DRAFT,
        (PlanStatus.RETURNED, "edit"): PlanStatus.RETURNED,
        # An approved plan changes only by a recorded revision, and stays approved.
        (PlanStatus.APPROVED, "revise"): PlanStatus.APPROVED,
        (PlanStatus.DRAFT, "submit"): PlanStatus.SUBMITTED,
        (PlanStatus.RETURNED, "submit"): PlanStatus.SUBMITTED,
        (PlanStatus.SUBMITTED, "approve"): PlanStatus.APPROVED,
        (PlanStatus.SUBMITTED, "return"): PlanStatus.RETURNED,
    },
    MILESTONE: {
        # Before the plan is approved the liaison edits and withdraws freely; after it, the same
        # changes are requests ("request"), and "extend" / "change" / "withdraw" are SASAC's approvals.
        (MilestoneStatus.OPEN, "edit"): MilestoneStatus.OPEN,
        (MilestoneStatus.OPEN, "report"): MilestoneStatus.OPEN,
        (MilestoneStatus.OPEN, "request"): MilestoneStatus.OPEN,
        (MilestoneStatus.OPEN, "extend"): MilestoneStatus.OPEN,
        (MilestoneStatus.OPEN, "change"): MilestoneStatus.OPEN,
        (MilestoneStatus.OPEN, "withdraw"): MilestoneStatus.WITHDRAWN,
        (MilestoneStatus.OPEN, "request_closure"): MilestoneStatus.CLOSURE_REQUESTED,
        (MilestoneStatus.CLOSURE_REQUESTED, "close"): MilestoneStatus.CLOSED,
        (MilestoneStatus.CLOSURE_REQUESTED, "refuse_closure"): MilestoneStatus.OPEN,
        (MilestoneStatus.CLOSURE_REQUESTED, "cancel_closure"): MilestoneStatus.OPEN,
        (MilestoneStatus.CLOSED, "reopen"): MilestoneStatus.OPEN,
    },
    REPORT: {
        (ReviewState.PENDING, "edit"): ReviewState.PENDING,
        # Corrected after a return, the report goes back into the review queue.
        (ReviewState.RETURNED, "edit"): ReviewState.PENDING,
        (ReviewState.PENDING, "accept"): ReviewState.ACCEPTED,
        (ReviewState.PENDING, "return"): ReviewState.RETURNED,
    },
    REQUEST: {
        (RequestState.PENDING, "approve"): RequestState.APPROVED,
        (RequestState.PENDING, "refuse"): RequestState.REFUSED,
        (RequestState.PENDING, "cancel"): RequestState.CANCELLED,
    },
}

STATE_LABELS = {
    PLAN: dict(PlanStatus.choices),
    MILESTONE: dict(MilestoneStatus.choices),
    REPORT: dict(ReviewState.choices),
    REQUEST: dict(RequestState.choices),
}
SUBJECTS = {
    PLAN: pgettext_lazy("workflow subject", "实施方案"),
    MILESTONE: pgettext_lazy("workflow subject", "时间节点"),
    REPORT: pgettext_lazy("workflow subject", "报送"),
    REQUEST: pgettext_lazy("workflow subject", "申请"),
}
ACTION_LABELS = {
    "edit": pgettext_lazy("workflow action", "修改"),
    "revise": pgettext_lazy("workflow action", "修订"),
    "submit": pgettext_lazy("workflow action", "提交审核"),
    "approve": pgettext_lazy("workflow action", "同意"),
    "return": pgettext_lazy("workflow action", "退回"),
    "report": pgettext_lazy("workflow action", "报送进展"),
    "request": pgettext_lazy("workflow action", "提出申请"),
    "extend": pgettext_lazy("workflow action", "延期"),
    "change": pgettext_lazy("workflow action", "变更"),
    "withdraw": pgettext_lazy("workflow action", "撤销"),
    "request_closure": pgettext_lazy("workflow action", "申请销号"),
    "close": pgettext_lazy("workflow action", "核实销号"),
    "refuse_closure": pgettext_lazy("workflow action", "不予销号"),
    "cancel_closure": pgettext_lazy("workflow action", "撤回销号申请"),
    "reopen": pgettext_lazy("workflow action", "重新打开"),
    "accept": pgettext_lazy("workflow action", "审核通过"),
    "refuse": pgettext_lazy("workflow action", "不同意"),
    "cancel": pgettext_lazy("workflow action", "撤回"),
}


def allows(machine: str, state: str, action: str) -> bool:
    return (state, action) in TRANSITIONS[machine]


def next_state(machine: str, state: str, action: str) -> str | None:
    """The state ``action`` leads to from ``state``; None when the table does not allow it."""
    return TRANSITIONS[machine].get((state, action))


def refusal(machine: str, state: str, action: str) -> str:
    """Why ``action`` is refused in ``state``, in words a user reads."""
    return str(
        _("该%(subject)s当前为“%(state)s”,不能%(action)s。")
        % {
            "subject": SUBJECTS[machine],
            "state": STATE_LABELS[machine].get(state, state),
            "action": ACTION_LABELS[action],
        }
    )
