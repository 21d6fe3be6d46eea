"""The ledger (台账) in the layout SASAC's offices circulate, one row per milestone.

Columns: 序号、任务来源(条款)、工作任务、牵头/参与、责任人、时间节点、进展情况、存在问题、
下步计划、完成状态、更新时间, then 原定时间节点 and 延期次数. The all-SOE ledger puts 企业 after
序号. Import reads the first eleven columns back (``progress.services.ledger_import``), so
those stay in step here; the two after them show the original commitment beside the current
due date.

完成状态 carries the figure SASAC accepted ("进行中(40%)"), and a figure still waiting for review
as such ("进行中(40%;待审核 60%)").

Rows are plain values (codes and figures, not labels) so that a closed period can store them
(``LedgerSnapshot.rows``) and export them again unchanged, in the reader's language.
"""

import dataclasses
import datetime

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from directives.models import AssignmentRole
from enterprises.models import Enterprise
from progress.models import (
    LedgerSnapshot,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    ReportingPeriod,
    ReviewState,
)

LEDGER_HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("任务来源(条款)"),
    gettext_lazy("工作任务"),
    gettext_lazy("牵头/参与"),
    gettext_lazy("责任人"),
    pgettext_lazy("ledger column", "时间节点"),
    gettext_lazy("进展情况"),
    gettext_lazy("存在问题"),
    gettext_lazy("下步计划"),
    gettext_lazy("完成状态"),
    gettext_lazy("更新时间"),
]
# After the columns the import reads: the original commitment beside the current due date.
LEDGER_EXTRA_HEADERS = [gettext_lazy("原定时间节点"), gettext_lazy("延期次数")]
LEDGER_COLUMN_WIDTHS = [6, 30, 32, 10, 10, 12, 48, 32, 32, 20, 17, 12, 8]
ENTERPRISE_HEADER = gettext_lazy("企业")
ENTERPRISE_COLUMN_WIDTH = 14
DUE_DATE_COLUMN = 5
UPDATED_AT_COLUMN = 10
ORIGINAL_DUE_DATE_COLUMN = 11


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    """One milestone's ledger row. ``status`` and ``role`` are codes; ``progress`` is the accepted
    figure and ``pending_progress`` the figure of a report waiting for review (None if none)."""

    enterprise_code: str
    enterprise: str
    directive: str
    title: str
    role: str
    responsible_person: str
    due_date: datetime.date
    original_due_date: datetime.date
    extension_count: int
    work_done: str
    problems: str
    next_steps: str
    status: str
    progress: int
    pending_progress: int | None
    updated_at: datetime.datetime

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        for name in ("due_date", "original_due_date", "updated_at"):
            data[name] = getattr(self, name).isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "LedgerRow":
        return cls(
            **{
                **data,
                "due_date": parse_date(data["due_date"]),
                "original_due_date": parse_date(data["original_due_date"]),
                "updated_at": parse_datetime(data["updated_at"]),
            }
        )


def status_label(row: LedgerRow, labels: dict[str, str]) -> str:
    """ "进行中(40%)", "进行中(40%;待审核 60%)"; "已销号" (with its figure if below 100 %); "已撤销"."""
    label = labels.get(row.status, row.status)
    if row.status == MilestoneStatus.WITHDRAWN or (row.status == MilestoneStatus.CLOSED and row.progress >= 100):
        return label
    values = {"state": label, "p": row.progress, "pending": row.pending_progress}
    if row.pending_progress is not None and row.status != MilestoneStatus.CLOSED:
        return _("%(state)s(%(p)s%%;待审核 %(pending)s%%)") % values
    return _("%(state)s(%(p)s%%)") % values


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
    "original_due_date",
    "extension_count",
    "status",
    "updated_at",
)
_REPORT_FIELDS = ("work_done", "problems", "next_steps", "updated_at", "review_state", "progress")


def _ordered(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    return milestones.order_by("assignment__enterprise__code", "assignment__directive__position", "due_date", "pk")


def _rows(values, reports: dict) -> list[LedgerRow]:
    """``values``: tuples of _MILESTONE_FIELDS plus the accepted progress and the report's key;
    ``reports``: key -> _REPORT_FIELDS of the row's report (the newest, any review state)."""
    no_report = ("", "", "", None, None, None)
    rows = []
    for value in values:
        code, short_name, number, directive_title, role, title, person, due, original, extensions = value[:10]
        status, updated, progress, key = value[10:]
        work_done, problems, next_steps, report_updated, review_state, reported = (
            reports.get(key, no_report) if key else no_report
        )
        rows.append(
            LedgerRow(
                enterprise_code=code,
                enterprise=short_name,
                directive=f"{number} {directive_title}",  # the clause number first: import reads it back
                title=title,
                role=role,
                responsible_person=person,
                due_date=due,
                original_due_date=original,
                extension_count=extensions,
                work_done=work_done,
                problems=problems,
                next_steps=next_steps,
                status=status,
                progress=progress,
                pending_progress=reported if review_state == ReviewState.PENDING else None,
                updated_at=max(updated, report_updated) if report_updated else updated,
            )
        )
    return rows


def ledger_rows(milestones: QuerySet[Milestone]) -> list[LedgerRow]:
    """The live ledger of an already scoped queryset: each milestone with its latest report.

    One query whatever the number of rows (``Milestone.latest_report`` is joined in).
    """
    values = _ordered(milestones).values_list(
        *_MILESTONE_FIELDS, "progress", *(f"latest_report__{name}" for name in _REPORT_FIELDS), "latest_report_id"
    )
    reports = {}
    milestone_values = []
    width = len(_MILESTONE_FIELDS) + 1
    for row in values:
        report_id = row[-1]
        if report_id is not None:
            reports[report_id] = row[width:-1]
        milestone_values.append((*row[:width], report_id))
    return _rows(milestone_values, reports)


def ledger_rows_as_of(milestones: QuerySet[Milestone], *, month: datetime.date) -> list[LedgerRow]:
    """The ledger for reporting month ``month``: each milestone as it stands, with its newest report
    up to that month and the progress of its newest report accepted up to that month.

    Two queries: the milestones with those figures and the id of that report, then those reports.
    """
    up_to = ProgressReport.objects.filter(milestone=OuterRef("pk"), period__lte=month).order_by("-period")
    accepted = up_to.filter(review_state=ReviewState.ACCEPTED)
    with_report = milestones.annotate(
        ledger_progress=Coalesce(Subquery(accepted.values("progress")[:1]), Value(0)),
        ledger_report_id=Subquery(up_to.values("pk")[:1]),
    )
    values = list(_ordered(with_report).values_list(*_MILESTONE_FIELDS, "ledger_progress", "ledger_report_id"))
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
    """Cell values in column order, numbered from 1, labels in the current language."""
    status_labels = {value: str(label) for value, label in MilestoneStatus.choices}
    role_labels = {value: str(label) for value, label in AssignmentRole.choices}
    return [
        (
            number,
            *((row.enterprise,) if with_enterprise else ()),
            row.directive,
            row.title,
            role_labels.get(row.role, row.role),
            row.responsible_person,
            row.due_date,
            row.work_done,
            row.problems,
            row.next_steps,
            status_label(row, status_labels),
            row.updated_at,
            row.original_due_date,
            row.extension_count,
        )
        for number, row in enumerate(rows, start=1)
    ]


def sheet_layout(*, with_enterprise: bool) -> dict:
    """Headers, widths and date columns for ``progress.exports.build_xlsx``."""
    headers = [str(header) for header in (*LEDGER_HEADERS, *LEDGER_EXTRA_HEADERS)]
    widths = list(LEDGER_COLUMN_WIDTHS)
    shift = 0
    if with_enterprise:
        headers.insert(1, str(ENTERPRISE_HEADER))
        widths.insert(1, ENTERPRISE_COLUMN_WIDTH)
        shift = 1
    return {
        "headers": headers,
        "column_widths": widths,
        "date_columns": (DUE_DATE_COLUMN + shift, ORIGINAL_DUE_DATE_COLUMN + shift),
        "datetime_columns": (UPDATED_AT_COLUMN + shift,),
    }
