"""A directive's roll-up across SOEs: its assignments with their milestones' progress and health."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from directives.models import Assignment, Directive
from directives.selectors import subtree_condition
from progress.health import RED, YELLOW, HealthRules, annotate_trajectory, health_condition
from progress.models import MilestoneStatus
from progress.scoping import visible_assignments, visible_milestones


@dataclass
class AssignmentRollup:
    assignment: Assignment
    milestones: int = 0
    average_progress: float | None = None
    red: int = 0
    yellow: int = 0
    closed: int = 0


def directive_rollup(user, directive: Directive, *, on: datetime.date) -> list[AssignmentRollup]:
    """The assignments of the directive and its measures that ``user`` may see, each with the
    count, average progress and red / yellow / closed counts of its tracked milestones (two queries).
    """
    rules = HealthRules.from_settings()
    assignments = (
        visible_assignments(user)
        .filter(subtree_condition(directive))
        .select_related("enterprise", "directive")
        .only(
            "id",
            "role",
            "due_date",
            "enterprise__code",
            "enterprise__short_name",
            "directive__number",
            "directive__title",
        )
        .order_by("directive__position", "enterprise__code")
    )
    stats = {
        row["assignment_id"]: row
        for row in annotate_trajectory(
            visible_milestones(user)
            .filter(subtree_condition(directive, path="assignment__directive"))
            .exclude(status=MilestoneStatus.WITHDRAWN),
            on=on,
            rules=rules,
        )
        .values("assignment_id")
        .annotate(
            total=Count("pk"),
            average=Avg("progress"),
            red=Count("pk", filter=health_condition(RED, on=on, rules=rules)),
            yellow=Count("pk", filter=health_condition(YELLOW, on=on, rules=rules)),
            closed=Count("pk", filter=Q(status=MilestoneStatus.CLOSED)),
        )
        .order_by()
    }
    rollup = []
    for assignment in assignments:
        row = stats.get(assignment.pk)
        if row is None:
            rollup.append(AssignmentRollup(assignment))
            continue
        rollup.append(
            AssignmentRollup(
                assignment,
                milestones=row["total"],
                average_progress=round(float(row["average"]), 1),
                red=row["red"],
                yellow=row["yellow"],
                closed=row["closed"],
            )
        )
    return rollup


def rollup_total(rollup: list[AssignmentRollup]) -> dict:
    milestones = sum(r.milestones for r in rollup)
    weighted = sum((r.average_progress or 0) * r.milestones for r in rollup)
    return {
        "assignments": len(rollup),
        "milestones": milestones,
        "average_progress": round(weighted / milestones, 1) if milestones else None,
        "red": sum(r.red for r in rollup),
        "yellow": sum(r.yellow for r in rollup),
        "closed": sum(r.closed for r in rollup),
    }
