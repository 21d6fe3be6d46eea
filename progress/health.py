"""Milestone health: computed from the milestone and its latest accepted report, never stored.

Leaders see what SASAC accepted: the progress and the risk flag read here are the newest
accepted report's (``Milestone.progress``, ``Milestone.accepted_report_at_risk``); a report
still waiting for review changes no light.

red      past due and not closed
yellow   due within the warning window, the latest accepted report flags a risk, or progress
         is behind the straight-line trajectory from start date to due date
green    on track
closed   verified and closed by SASAC (销号)
withdrawn  withdrawn with a reason; no longer tracked

The same rules exist twice on purpose, in one module: ``health_of`` for one object
in Python and ``annotate_health`` as SQL, so lists can filter and sort by health
without loading rows. Tests hold the two to the same answers.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RED, YELLOW, GREEN, CLOSED, WITHDRAWN = "red", "yellow", "green", "closed", "withdrawn"
HEALTH_LABELS = {
    RED: _("逾期"),
    YELLOW: _("预警"),
    GREEN: _("正常"),
    CLOSED: _("已销号"),
    WITHDRAWN: _("已撤销"),
}
HEALTH_CHOICES = list(HEALTH_LABELS.items())
# One colour per state everywhere: lights, badges, charts.
HEALTH_COLOURS = {RED: "#dc3545", YELLOW: "#f0ad00", GREEN: "#198754", CLOSED: "#0d6efd", WITHDRAWN: "#6c757d"}
HEALTH_ORDER = {RED: 0, YELLOW: 1, GREEN: 2, CLOSED: 3, WITHDRAWN: 4}


@dataclass(frozen=True)
class HealthRules:
    warning_days: int
    trajectory_tolerance: int

    @classmethod
    def from_settings(cls) -> "HealthRules":
        return cls(
            warning_days=getattr(settings, "HEALTH_WARNING_DAYS", 7),
            trajectory_tolerance=getattr(settings, "HEALTH_TRAJECTORY_TOLERANCE", 10),
        )


def today() -> datetime.date:
    """Today in Asia/Shanghai, which is what a due date means."""
    return timezone.localdate()


def expected_progress(*, start: datetime.date, due: datetime.date, on: datetime.date) -> int:
    """Where progress should stand on ``on`` (序时进度), on a straight line from start to due."""
    if on >= due:
        return 100
    if on <= start:
        return 0
    return round(100 * (on - start).days / (due - start).days)


def health_of(milestone, *, on: datetime.date | None = None, rules: HealthRules | None = None) -> str:
    """The health of one milestone, from its own columns (the accepted report's risk flag is stored on it)."""
    on = on or today()
    rules = rules or HealthRules.from_settings()
    if milestone.status == "closed":
        return CLOSED
    if milestone.status == "withdrawn":
        return WITHDRAWN
    if milestone.due_date < on:
        return RED
    span = (milestone.due_date - milestone.start_date).days
    elapsed = (on - milestone.start_date).days
    behind = (milestone.progress + rules.trajectory_tolerance) * span < 100 * elapsed
    if (
        milestone.due_date <= on + datetime.timedelta(days=rules.warning_days)
        or behind
        or milestone.accepted_report_at_risk
    ):
        return YELLOW
    return GREEN


class DaysBetween(Func):
    """Whole days from ``earlier`` to ``later`` (both dates), on PostgreSQL and SQLite."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def health_condition(health: str, *, on: datetime.date, rules: HealthRules) -> Q:
    """A filter that selects the milestones of one health (use on ``annotate_trajectory`` rows)."""
    not_done = ~Q(status__in=["closed", "withdrawn"])
    red = not_done & Q(due_date__lt=on)
    behind = Q(trajectory_gap__gt=0)
    yellow = (
        not_done
        & Q(due_date__gte=on)
        & (
            Q(due_date__lte=on + datetime.timedelta(days=rules.warning_days))
            # The latest accepted report's flag is stored on the milestone by the ledger services, so
            # counting or sorting every milestone never reads the ledger (200,000 reports).
            | Q(accepted_report_at_risk=True)
            | behind
        )
    )
    return {
        RED: red,
        YELLOW: yellow,
        GREEN: not_done & Q(due_date__gte=on) & ~yellow,
        CLOSED: Q(status="closed"),
        WITHDRAWN: Q(status="withdrawn"),
    }[health]


def annotate_trajectory(queryset: QuerySet, *, on: datetime.date, rules: HealthRules, select: bool = True) -> QuerySet:
    """Add ``trajectory_gap``: > 0 when progress is behind the straight line by more than the tolerance.

    Compares without division: (progress + tolerance) * span < 100 * elapsed. With
    ``select=False`` it is an alias: usable in filters and ordering, not read back.
    """
    on_value = Value(on)
    span = DaysBetween(F("due_date"), F("start_date"))
    elapsed = DaysBetween(on_value, F("start_date"))
    add = queryset.annotate if select else queryset.alias
    return add(trajectory_gap=100 * elapsed - (F("progress") + rules.trajectory_tolerance) * span)


def annotate_health(
    queryset: QuerySet, *, on: datetime.date | None = None, rules: HealthRules | None = None, select: bool = True
):
    """Add ``health`` (a string) and ``health_rank`` (for sorting) to a milestone queryset.

    With ``select=False`` they are aliases: filters, ordering and GROUP BY may use them, but a
    page of rows does not compute them for every row (``health_of`` gives one row's health).
    """
    on = on or today()
    rules = rules or HealthRules.from_settings()
    queryset = annotate_trajectory(queryset, on=on, rules=rules, select=select)
    whens = [When(health_condition(h, on=on, rules=rules), then=Value(h)) for h in (CLOSED, WITHDRAWN, RED, YELLOW)]
    return (queryset.annotate if select else queryset.alias)(
        health=Case(*whens, default=Value(GREEN), output_field=CharField()),
        health_rank=Case(
            *[
                When(health_condition(h, on=on, rules=rules), then=Value(HEALTH_ORDER[h]))
                for h in (CLOSED, WITHDRAWN, RED, YELLOW)
            ],
            default=Value(HEALTH_ORDER[GREEN]),
            output_field=IntegerField(),
        ),
    )
