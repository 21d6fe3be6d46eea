"""The demo's supervision record: requests SASAC decided or has still to decide, and the history
of every milestone, report, request and plan, as the services would have written it.

The bulk load writes rows, not history; without this a milestone's first real change would
show every field as "— → value". Here each row gets the history records of how it came to be:
created by the liaison, its reports filed and reviewed, its extension, closure or withdrawal
requested and decided, its plan drafted, submitted and approved. The last record of each row
is the row as loaded, so the first real action shows a true before → after.

Deterministic like the rest of the demo: everything draws from the ``rng`` handed in (the
demo's own stream for requests) and every timestamp derives from the data.
"""

import dataclasses
import datetime
import functools
import random

from django.contrib.auth.models import User
from django.db import connection

from progress.history_reasons import stored_reason
from progress.models import (
    ImplementationPlan,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    PlanStatus,
    ProgressReport,
    RequestKind,
    RequestState,
    ReviewState,
)

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
BATCH = 2000

EXTENSION_REASONS = [
    "合作方设备交付推迟,需顺延调试和验收时间。",
    "受园区改造施工影响,现场部署无法按期完成。",
    "项目纳入集团数字化整体规划,需与二期工程统筹推进。",
    "专项资金拨付滞后,采购流程顺延。",
]
CHANGE_REASONS = ["原责任人岗位调整,改由新分管负责人负责。", "根据专家评审意见,调整交付范围和说明。"]
REFUSAL_COMMENTS = [
    "延期理由不充分,请按原时间节点倒排工期推进。",
    "该事项为年度重点任务,不同意延期,请加强资源保障。",
]
APPROVAL_COMMENTS = ["经核实理由属实,同意延期,请按新时间节点推进。", "同意。请在下次报送中说明调整后的推进计划。"]
CLOSURE_REASONS = [
    "工作已全部完成,交付成果已通过内部验收,申请销号。",
    "已按计划完成建设并上线运行,佐证材料见报送,申请销号。",
]
VERIFICATION_NOTES = ["经核验,交付成果与佐证材料相符,同意销号。", "已现场核实,系统上线运行正常,同意销号。"]
WITHDRAWAL_APPROVALS = ["经审核,同意撤销该时间节点。"]


@dataclasses.dataclass
class Decision:
    """A request of the demo: what was asked, when, by whom, and what SASAC decided."""

    kind: str
    state: str
    reason: str
    filed_at: datetime.datetime
    filed_by: User
    original: dict = dataclasses.field(default_factory=dict)
    proposed: dict = dataclasses.field(default_factory=dict)
    decided_at: datetime.datetime | None = None
    decided_by: User | None = None
    comment: str = ""


def _clamp(moment: datetime.datetime, *, earliest: datetime.datetime, latest: datetime.datetime):
    return max(earliest, min(moment, latest))


def grant_extension(
    rng: random.Random, milestone: Milestone, *, liaison: User, sasac: User, as_of: datetime.datetime
) -> Decision | None:
    """Maybe give a milestone of an approved plan an extension SASAC granted: its original
    commitment becomes an earlier date. Call before the milestone is saved."""
    if milestone.status == MilestoneStatus.WITHDRAWN or rng.random() >= 0.06:
        return None
    moved = datetime.timedelta(days=rng.randint(30, 120))
    original = milestone.due_date - moved
    if original < milestone.start_date + datetime.timedelta(days=15):
        return None
    created = milestone.created_at
    filed = _clamp(
        datetime.datetime.combine(
            original - datetime.timedelta(days=rng.randint(3, 20)), datetime.time(10), created.tzinfo
        ),
        earliest=created + DAY,
        latest=as_of - 10 * DAY,
    )
    decided = filed + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
    milestone.original_due_date = original
    milestone.extension_count = 1
    return Decision(
        kind=RequestKind.EXTENSION,
        state=RequestState.APPROVED,
        reason=rng.choice(EXTENSION_REASONS),
        filed_at=filed,
        filed_by=liaison,
        original={"due_date": original.isoformat()},
        proposed={"due_date": milestone.due_date.isoformat()},
        decided_at=decided,
        decided_by=sasac,
        comment=rng.choice(APPROVAL_COMMENTS),
    )


def decisions_for(
    rng: random.Random,
    milestone: Milestone,
    reports: list[ProgressReport],
    *,
    committed: bool,
    liaison: User,
    sasac: User,
    as_of: datetime.datetime,
    person: str,
) -> list[Decision]:
    """The closure and withdrawal requests the milestone's state implies, and for open work of an
    approved plan now and then an extension or change request waiting, or an extension refused."""
    last = reports[-1] if reports else None
    decisions = []
    if milestone.status in (MilestoneStatus.CLOSED, MilestoneStatus.CLOSURE_REQUESTED):
        latest = milestone.closed_at - HOUR if milestone.closed_at else as_of - DAY
        filed = _clamp(
            (last.submitted_at if last else milestone.created_at) + datetime.timedelta(hours=rng.randint(1, 30)),
            earliest=milestone.created_at + HOUR,
            latest=latest,
        )
        closed = milestone.status == MilestoneStatus.CLOSED
        decisions.append(
            Decision(
                kind=RequestKind.CLOSURE,
                state=RequestState.APPROVED if closed else RequestState.PENDING,
                reason=rng.choice(CLOSURE_REASONS),
                filed_at=filed,
                filed_by=liaison,
                decided_at=milestone.closed_at,
                decided_by=sasac if closed else None,
                comment=rng.choice(VERIFICATION_NOTES) if closed else "",
            )
        )
    elif milestone.status == MilestoneStatus.WITHDRAWN and committed:
        filed = _clamp(
            (last.submitted_at if last else milestone.created_at) + datetime.timedelta(days=rng.randint(3, 20)),
            earliest=milestone.created_at + HOUR,
            latest=as_of - 3 * DAY,
        )
        decisions.append(
            Decision(
                kind=RequestKind.WITHDRAWAL,
                state=RequestState.APPROVED,
                reason=milestone.withdrawn_reason,
                filed_at=filed,
                filed_by=liaison,
                decided_at=filed + datetime.timedelta(days=rng.randint(1, 4)),
                decided_by=sasac,
                comment=rng.choice(WITHDRAWAL_APPROVALS),
            )
        )
    elif milestone.status == MilestoneStatus.OPEN and committed:
        roll = rng.random()
        filed = as_of - datetime.timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 8))
        # An extension asks for a date still ahead, from the later of the due date and today.
        ahead = max(milestone.due_date, as_of.date())
        if roll < 0.04:
            due = ahead + datetime.timedelta(days=rng.randint(30, 90))
            decisions.append(
                Decision(
                    kind=RequestKind.EXTENSION,
                    state=RequestState.PENDING,
                    reason=rng.choice(EXTENSION_REASONS),
                    filed_at=filed,
                    filed_by=liaison,
                    original={"due_date": milestone.due_date.isoformat()},
                    proposed={"due_date": due.isoformat()},
                )
            )
        elif roll < 0.055 and person != milestone.responsible_person:
            decisions.append(
                Decision(
                    kind=RequestKind.CHANGE,
                    state=RequestState.PENDING,
                    reason=CHANGE_REASONS[0],
                    filed_at=filed,
                    filed_by=liaison,
                    original={"responsible_person": milestone.responsible_person},
                    proposed={"responsible_person": person},
                )
            )
        elif roll < 0.07:
            due = ahead + datetime.timedelta(days=rng.randint(60, 180))
            decisions.append(
                Decision(
                    kind=RequestKind.EXTENSION,
                    state=RequestState.REFUSED,
                    reason=rng.choice(EXTENSION_REASONS),
                    filed_at=filed - 30 * DAY,
                    filed_by=liaison,
                    original={"due_date": milestone.due_date.isoformat()},
                    proposed={"due_date": due.isoformat()},
                    decided_at=filed - 27 * DAY,
                    decided_by=sasac,
                    comment=rng.choice(REFUSAL_COMMENTS),
                )
            )
    return decisions


def request_rows(milestone: Milestone, decisions: list[Decision]) -> list[MilestoneRequest]:
    return [
        MilestoneRequest(
            milestone=milestone,
            kind=d.kind,
            state=d.state,
            reason=d.reason,
            original=d.original,
            proposed=d.proposed,
            filed_by=d.filed_by,
            filed_at=d.filed_at,
            decided_by=d.decided_by,
            decided_at=d.decided_at,
            decision_comment=d.comment,
            version=1 if d.state == RequestState.PENDING else 2,
        )
        for d in decisions
    ]


@functools.cache
def _history_model(model) -> tuple[type, tuple[str, ...]]:
    """The history model and its copied columns. Once per model: simple_history builds a new
    manager on every ``model.history`` access, a fifth of the large demo's load time per record."""
    history = model.history.model
    return history, tuple(sorted({f.attname for f in history._meta.concrete_fields} - {"history_id"}))


def _historical(model, instance, *, when, user: User | None, kind: str, reason: str, **values):
    """A history record of ``instance`` with ``values`` in place of its own, at ``when`` by ``user``."""
    history, names = _history_model(model)
    fields = {name: getattr(instance, name) for name in names if hasattr(instance, name)}
    fields.update(values)
    return history(
        **fields,
        history_date=when,
        history_type=kind,
        history_user_id=user.pk if user else None,
        history_change_reason=reason,
    )


def milestone_history(
    milestone: Milestone,
    reports: list[ProgressReport],
    decisions: list[Decision],
    *,
    liaison: User,
    sasac: User,
) -> list:
    """The milestone's records: created, then each change a decision made, ending as it stands."""
    state = {
        "status": MilestoneStatus.OPEN,
        "progress": 0,
        "due_date": milestone.original_due_date,
        "extension_count": 0,
        "closed_at": None,
        "closed_by_id": None,
        "withdrawn_reason": "",
    }
    records = [
        _historical(
            Milestone, milestone, when=milestone.created_at, user=liaison, kind="+", reason="新建时间节点", **state
        )
    ]
    events = []  # (when, order, user, reason, changes)
    accepted = [r for r in reports if r.review_state == ReviewState.ACCEPTED]
    if accepted and accepted[-1].progress:
        last = accepted[-1]
        events.append(
            (
                last.reviewed_at,
                0,
                sasac,
                stored_reason("采纳 %(p)s 报送的进度", p=f"{last.period:%Y-%m}"),
                {"progress": last.progress},
            )
        )
    for d in decisions:
        if d.kind == RequestKind.EXTENSION and d.state == RequestState.APPROVED:
            changes = {"due_date": milestone.due_date, "extension_count": milestone.extension_count}
            events.append(
                (
                    d.decided_at,
                    1,
                    sasac,
                    stored_reason("同意%(kind)s:%(comment)s", kind=RequestKind.EXTENSION, comment=d.comment),
                    changes,
                )
            )
        elif d.kind == RequestKind.CLOSURE:
            events.append(
                (
                    d.filed_at,
                    2,
                    liaison,
                    stored_reason("申请销号:%(r)s", r=d.reason),
                    {"status": MilestoneStatus.CLOSURE_REQUESTED},
                )
            )
            if d.state == RequestState.APPROVED:
                changes = {"status": MilestoneStatus.CLOSED, "closed_at": milestone.closed_at, "closed_by_id": sasac.pk}
                events.append((d.decided_at, 3, sasac, stored_reason("核实销号:%(note)s", note=d.comment), changes))
        elif d.kind == RequestKind.WITHDRAWAL:
            changes = {"status": MilestoneStatus.WITHDRAWN, "withdrawn_reason": milestone.withdrawn_reason}
            events.append(
                (
                    d.decided_at,
                    3,
                    sasac,
                    stored_reason("同意%(kind)s:%(comment)s", kind=RequestKind.WITHDRAWAL, comment=d.comment),
                    changes,
                )
            )
    if milestone.status == MilestoneStatus.WITHDRAWN and not decisions:
        when = (reports[-1].submitted_at if reports else milestone.created_at) + 5 * DAY
        changes = {"status": MilestoneStatus.WITHDRAWN, "withdrawn_reason": milestone.withdrawn_reason}
        events.append((when, 3, liaison, stored_reason("撤销:%(r)s", r=milestone.withdrawn_reason), changes))
    for when, _order, user, reason, changes in sorted(events, key=lambda e: (e[0], e[1])):
        state.update(changes)
        records.append(_historical(Milestone, milestone, when=when, user=user, kind="~", reason=reason, **state))
    return records


def request_history(requests: list[MilestoneRequest]) -> list:
    records = []
    for request in requests:
        records.append(
            _historical(
                MilestoneRequest,
                request,
                when=request.filed_at,
                user=request.filed_by,
                kind="+",
                reason=stored_reason("提出%(kind)s", kind=request.kind),
                state=RequestState.PENDING,
                decided_by_id=None,
                decided_at=None,
                decision_comment="",
                version=1,
            )
        )
        if request.state != RequestState.PENDING:
            key = "同意%(kind)s:%(comment)s" if request.state == RequestState.APPROVED else "不同意%(kind)s:%(comment)s"
            reason = stored_reason(key, kind=request.kind, comment=request.decision_comment)
            if request.kind == RequestKind.CLOSURE and request.state == RequestState.APPROVED:
                reason = stored_reason("核实销号:%(note)s", note=request.decision_comment)
            records.append(
                _historical(
                    MilestoneRequest, request, when=request.decided_at, user=request.decided_by, kind="~", reason=reason
                )
            )
    return records


def record_report_history() -> None:
    """Every report's filing, and the review of those reviewed, written straight from the reports
    in two INSERT ... SELECT statements: 200,000 reports need no Python objects."""
    history = ProgressReport.history.model
    table = connection.ops.quote_name(ProgressReport._meta.db_table)
    target = connection.ops.quote_name(history._meta.db_table)
    columns = [f.column for f in history._meta.concrete_fields if f.attname != "history_id"]
    own = {f.column for f in ProgressReport._meta.concrete_fields}

    def insert(overrides: dict[str, str], where: str, params: list) -> None:
        select = [overrides.get(column, f"r.{connection.ops.quote_name(column)}") for column in columns]
        for column in columns:
            if column not in own and column not in overrides:
                raise ValueError(f"no value for history column {column}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {target} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
                f"SELECT {', '.join(select)} FROM {table} r {where}",
                params,
            )

    # Parameters fill the placeholders in the order they appear: the SELECT list, then WHERE.
    filed = {
        "review_state": "%s",
        "review_comment": "''",
        "reviewed_by_id": "NULL",
        "reviewed_at": "NULL",
        "version": "1",
        "updated_at": "r.submitted_at",
        "history_date": "r.submitted_at",
        "history_type": "'+'",
        "history_user_id": "r.submitted_by_id",
        "history_change_reason": "%s",
    }
    ordered = [c for c in columns if c in filed and "%s" in filed[c]]
    values = {"review_state": ReviewState.PENDING, "history_change_reason": "报送"}
    insert(filed, "", [values[c] for c in ordered])
    reviewed = {
        "history_date": "r.reviewed_at",
        "history_type": "'~'",
        "history_user_id": "r.reviewed_by_id",
        # A return's reason is stored_reason("退回:%(c)s", c=comment), its JSON built in SQL
        # (the demo's comments hold no control characters: quotes and backslashes are escaped).
        "history_change_reason": "CASE WHEN r.review_state = %s THEN %s ELSE "
        "%s || REPLACE(REPLACE(r.review_comment, '\\', '\\\\'), '\"', '\\\"') || '\"}' END",
    }
    returned_prefix = stored_reason("退回:%(c)s", c="")[: -len('"}')]
    insert(
        reviewed,
        "WHERE r.review_state <> %s",
        [ReviewState.ACCEPTED, "审核通过", returned_prefix, ReviewState.PENDING],
    )


def plan_history(plans: list[ImplementationPlan], *, liaisons: dict[int, User], sasac: User) -> list:
    """Each plan drafted, submitted, approved or returned, and revised, as its status says."""
    records = []
    for plan in plans:
        liaison = liaisons[plan.enterprise_id]
        drafted = (plan.submitted_at or plan.updated_at) - 10 * DAY
        base = {"status": PlanStatus.DRAFT, "submitted_at": None, "reviewed_at": None, "reviewed_by_id": None}
        base |= {"review_comment": "", "revision": 0}
        records.append(
            _historical(ImplementationPlan, plan, when=drafted, user=liaison, kind="+", reason="起草实施方案", **base)
        )
        if plan.submitted_at is None:
            continue
        base |= {"status": PlanStatus.SUBMITTED, "submitted_at": plan.submitted_at}
        records.append(
            _historical(
                ImplementationPlan, plan, when=plan.submitted_at, user=liaison, kind="~", reason="提交审核", **base
            )
        )
        if plan.reviewed_at is None:
            continue
        approved = plan.status == PlanStatus.APPROVED
        base |= {
            "status": plan.status,
            "reviewed_at": plan.reviewed_at,
            "reviewed_by_id": sasac.pk,
            "review_comment": plan.review_comment,
        }
        reason = "批准" if approved else stored_reason("退回:%(c)s", c=plan.review_comment)
        records.append(
            _historical(ImplementationPlan, plan, when=plan.reviewed_at, user=sasac, kind="~", reason=reason, **base)
        )
        for revision in range(1, plan.revision + 1):
            base["revision"] = revision
            records.append(
                _historical(
                    ImplementationPlan,
                    plan,
                    when=plan.reviewed_at + revision * 30 * DAY,
                    user=liaison,
                    kind="~",
                    reason=stored_reason("第%(n)s次修订:%(note)s", n=revision, note="根据工作进展细化时间表"),
                    **base,
                )
            )
    return records
