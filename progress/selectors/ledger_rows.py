"""The ledger (台账) in the layout SASAC's offices circulate, one row per milestone.

Columns: 序号、任务来源(条款)、工作任务、牵头/参与、责任人、时间节点、进展情况、存在问题、
下步计划、完成状态、更新时间. The all-SOE ledger puts 企业 after 序号. Import reads the
enterprise layout back (``progress.services.ledger_import``), so the two stay in step here.

Rows are plain values so that a closed period can store them (``LedgerSnapshot.rows``)
and export them again unchanged.
"""

import dataclasses
import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directives.models import AssignmentRole
from enterprises.models import Enterprise
from progress.models import LedgerSnapshot, Milestone, MilestoneStatus, ProgressReport, ReportingPeriod

LEDGER_HEADERS = [
    _("序号"),
    _("任务来源(条款)"),
    _("工作任务"),
    _("牵头/参与"),
    _("责任人"),
    pgettext_lazy("ledger column", "时间节点"),
    _("进展情况"),
    _("存在问题"),
    _("下步计划"),
    _("完成状态"),
    _("更新时间"),
]
LEDGER_COLUMN_WIDTHS = [6, 30, 32, 10, 10, 12, 48, 32, 32, 14, 17]
ENTERPRISE_HEADER = _("企业")
ENTERPRISE_COLUMN_WIDTH = 14
DUE_DATE_COLUMN = 5
UPDATED_AT_COLUMN = 10


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    enterprise_code: str
    enterprise: str
    directive: str
    title: str
    role: str
    responsible_person: str
    due_date: datetime.date
    work_done: str
    problems: str
    next_steps: str
    status: str
    updated_at: datetime.datetime

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["due_date"] = self.due_date.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "LedgerRow":
        return cls(
            **{
                **data,
                "due_date": parse_date(data["due_date"]),
                "updated_at": parse_datetime(data["updated_at"]),
            }
        )


def status_label(status: str, progress: int, labels: dict[str, str]) -> str:
    """ "进行中(40%)"; a closed or withdrawn milestone shows its state alone."""
    if status in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN):
        return labels[status]
    return f"{labels[status]}({progress}%)"


# Plain values rather than model instances: 20,000 rows build in a fraction of the time.
_MILESTONE_FIELDS = (
    "assignment__enterprise__code",
    "assignment__enterprise__short_name",
    "assignment__directive__number",
    "assignment__directive__title",
    "assignment__role",
    "title",
    "responsible_person",
    "due_date",
    "status",
    "progress",
    "updated_at",
)
_REPORT_FIELDS = ("work_done", "problems", "next_steps", "updated_at")


def _ordered(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    return milestones.order_by("assignment__enterprise__code", "assignment__directive__position", "due_date", "pk")


def _rows(values, reports: dict) -> list[LedgerRow]:
    """``values``: tuples of _MILESTONE_FIELDS plus the report's key; ``reports``: key -> _REPORT_FIELDS."""
    status_labels = {value: str(label) for value, label in MilestoneStatus.choices}
    role_labels = {value: str(label) for value, label in AssignmentRole.choices}
    no_report = ("", "", "", None)
    rows = []
    for code, short_name, number, directive_title, role, title, person, due, status, progress, updated, key in values:
        work_done, problems, next_steps, report_updated = reports.get(key, no_report) if key else no_report
        rows.append(
            LedgerRow(
                enterprise_code=code,
                enterprise=short_name,
                directive=f"{number} {directive_title}",  # the clause number first: import reads it back
                title=title,
                role=role_labels.get(role, role),
                responsible_person=person,
                due_date=due,
                work_done=work_done,
                problems=problems,
                next_steps=next_steps,
                status=status_label(status, progress, status_labels),
                updated_at=max(updated, report_updated) if report_updated else updated,
            )
        )
    return rows


def ledger_rows(milestones: QuerySet[Milestone]) -> list[LedgerRow]:
    """The live ledger of an already scoped queryset: each milestone with its latest report.

    One query whatever the number of rows (``Milestone.latest_report`` is joined in).
    """
    values = _ordered(milestones).values_list(
        *_MILESTONE_FIELDS, *(f"latest_report__{name}" for name in _REPORT_FIELDS), "latest_report_id"
    )
    reports = {}
    milestone_values = []
    width = len(_MILESTONE_FIELDS)
    for row in values:
        report_id = row[-1]
        if report_id is not None:
            reports[report_id] = row[width:-1]
        milestone_values.append((*row[:width], report_id))
    return _rows(milestone_values, reports)


def ledger_rows_as_of(milestones: QuerySet[Milestone], *, month: datetime.date) -> list[LedgerRow]:
    """The ledger for reporting month ``month``: each milestone with its newest report up to it.

    Two queries: the milestones with the id of that report, then those reports.
    """
    newest_until = (
        ProgressReport.objects.filter(milestone=OuterRef("pk"), period__lte=month).order_by("-period").values("pk")[:1]
    )
    with_report = milestones.annotate(ledger_report_id=Subquery(newest_until))
    values = list(_ordered(with_report).values_list(*_MILESTONE_FIELDS, "ledger_report_id"))
    # The report ids as a subquery, not a parameter list: no limit on the number of rows.
    report_ids = with_report.filter(ledger_report_id__isnull=False).values("ledger_report_id")
    reports = {
        pk: rest for pk, *rest in ProgressReport.objects.filter(pk__in=report_ids).values_list("pk", *_REPORT_FIELDS)
    }
    return _rows(values, reports)


def snapshot_rows(period: ReportingPeriod, enterprises: QuerySet[Enterprise]) -> list[LedgerRow]:
    """The rows stored when ``period`` was closed, for the given (already scoped) enterprises."""
    snapshots = LedgerSnapshot.objects.filter(period=period, enterprise__in=enterprises).order_by("enterprise__code")
    return [LedgerRow.from_json(data) for snapshot in snapshots for data in snapshot.rows]


def sheet_rows(rows: list[LedgerRow], *, with_enterprise: bool) -> list[tuple]:
    """Cell values in column order, numbered from 1."""
    return [
        (
            number,
            *((row.enterprise,) if with_enterprise else ()),
            row.directive,
            row.title,
            row.role,
            row.responsible_person,
            row.due_date,
            row.work_done,
            row.problems,
            row.next_steps,
            row.status,
            row.updated_at,
        )
        for number, row in enumerate(rows, start=1)
    ]


def sheet_layout(*, with_enterprise: bool) -> dict:
    """Headers, widths and date columns for ``progress.exports.build_xlsx``."""
    headers = [str(header) for header in LEDGER_HEADERS]
    widths = list(LEDGER_COLUMN_WIDTHS)
    shift = 0
    if with_enterprise:
        headers.insert(1, str(ENTERPRISE_HEADER))
        widths.insert(1, ENTERPRISE_COLUMN_WIDTH)
        shift = 1
    return {
        "headers": headers,
        "column_widths": widths,
        "date_columns": (DUE_DATE_COLUMN + shift,),
        "datetime_columns": (UPDATED_AT_COLUMN + shift,),
    }
