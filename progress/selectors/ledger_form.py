"""The monthly reporting form (月度台账报送表): an enterprise's ledger as the sheet a liaison fills in.

One row per milestone, keyed by the milestone's number (编号) so the filled-in sheet comes
back to the same milestones (``progress.services.ledger_import``). The columns SASAC owns
(the milestone's task, owner, due date and status, and the month's review state) are shaded
and read-only; the liaison fills in the month's progress, text, risk flag and indicator
values. Indicators come in slots beside each row: 指标1 names the row's first indicator
(read-only), 数值1 takes its value, and so on for as many as the enterprise's directives
carry at most; one column per indicator would make the sheet too wide to print or to fill.

The values shown are each milestone's newest report up to the month: the month's own report
once filed, else last month's, so a liaison starts from last month's text and the import
files only the rows that changed.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from directives.models import AssignmentRole, Indicator
from enterprises.models import Enterprise
from enterprises.names import person_name
from progress.exports import Validation
from progress.models import IndicatorValue, Milestone, MilestoneStatus, ProgressReport, ReviewState

# (label, width, read-only); the import reads the sheet back by these labels.
COLUMNS = (
    ("key", gettext_lazy("编号"), 7, True),
    ("directive", gettext_lazy("任务来源(条款)"), 18, True),
    ("title", gettext_lazy("工作任务"), 24, True),
    ("role", gettext_lazy("牵头/参与"), 8, True),
    ("responsible_person", gettext_lazy("责任人"), 9, True),
    ("due_date", pgettext_lazy("ledger column", "时间节点"), 11, True),
    ("status", gettext_lazy("状态"), 9, True),
    ("review_state", gettext_lazy("本月报送"), 9, True),
    ("progress", gettext_lazy("进度(%)"), 8, False),
    ("work_done", gettext_lazy("进展情况"), 36, False),
    ("problems", gettext_lazy("存在问题"), 22, False),
    ("next_steps", gettext_lazy("下步计划"), 22, False),
    ("support_needed", gettext_lazy("需协调事项"), 18, False),
    ("at_risk", gettext_lazy("延期风险"), 8, False),
)
COLUMN_INDEX = {name: index for index, (name, *_rest) in enumerate(COLUMNS)}
REPORT_TEXT_FIELDS = ("work_done", "problems", "next_steps", "support_needed")
# Rows the sheet's validation and dropdowns cover below the milestones, for new ones.
ROWS_FOR_NEW_MILESTONES = 200
YES, NO = gettext_lazy("是"), gettext_lazy("否")
# Indicator values fit DecimalField(max_digits=14, decimal_places=2).
INDICATOR_BOUND = Decimal("999999999999.99")


@dataclasses.dataclass(frozen=True)
class BaseReport:
    """The newest report of a milestone up to the month: what the sheet shows and the import compares with."""

    pk: int
    period: datetime.date
    progress: int
    work_done: str
    problems: str
    next_steps: str
    support_needed: str
    at_risk: bool
    review_state: str
    version: int
    indicators: dict[int, Decimal]


@dataclasses.dataclass(frozen=True)
class FormRow:
    milestone_id: int
    assignment_id: int
    directive_id: int
    directive: str
    title: str
    role: str
    responsible_person: str
    due_date: datetime.date
    status: str
    progress: int
    base: BaseReport | None
    month_report: BaseReport | None  # the base report when it is the month's own


@dataclasses.dataclass
class LedgerForm:
    period: datetime.date
    rows: list[FormRow]
    directive_indicators: dict[int, list[Indicator]]  # directive id -> its indicators, in slot order

    @property
    def slots(self) -> int:
        return max((len(indicators) for indicators in self.directive_indicators.values()), default=0)


def directive_label(number: str, title: str) -> str:
    return f"{number} {title}"


def indicator_header(indicator: Indicator) -> str:
    return f"{indicator.name}({indicator.unit})"


def ledger_form(milestones: QuerySet[Milestone], *, enterprise: Enterprise, period: datetime.date) -> LedgerForm:
    """The form for ``period`` over already scoped ``milestones`` of ``enterprise``: four queries, whatever the size."""
    newest = (
        ProgressReport.objects.filter(milestone=OuterRef("pk"), period__lte=period).order_by("-period").values("pk")[:1]
    )
    with_base = milestones.filter(assignment__enterprise=enterprise).annotate(base_id=Subquery(newest))
    values = with_base.order_by("assignment__directive__position", "due_date", "pk").values_list(
        "pk",
        "assignment_id",
        "assignment__directive_id",
        "assignment__directive__number",
        "assignment__directive__title",
        "assignment__role",
        "title",
        "responsible_person",
        "due_date",
        "status",
        "progress",
        "base_id",
    )
    base_ids = with_base.filter(base_id__isnull=False).values("base_id")
    indicator_values: dict[int, dict[int, Decimal]] = {}
    for report_id, indicator_id, value in IndicatorValue.objects.filter(report_id__in=base_ids).values_list(
        "report_id", "indicator_id", "value"
    ):
        indicator_values.setdefault(report_id, {})[indicator_id] = value
    bases = {
        pk: BaseReport(pk, *rest, indicators=indicator_values.get(pk, {}))
        for pk, *rest in ProgressReport.objects.filter(pk__in=base_ids).values_list(
            "pk",
            "period",
            "progress",
            "work_done",
            "problems",
            "next_steps",
            "support_needed",
            "at_risk",
            "review_state",
            "version",
        )
    }
    indicators = list(
        Indicator.objects.filter(directive__assignments__enterprise=enterprise)
        .distinct()
        .order_by("directive__position", "code")
    )
    directive_indicators: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        directive_indicators.setdefault(indicator.directive_id, []).append(indicator)
    role_labels = {value: str(label) for value, label in AssignmentRole.choices}
    status_labels = {value: str(label) for value, label in MilestoneStatus.choices}
    rows = [
        FormRow(
            milestone_id=pk,
            assignment_id=assignment_id,
            directive_id=directive_id,
            directive=directive_label(number, directive_title),
            title=title,
            role=role_labels.get(role, role),
            responsible_person=person,
            due_date=due,
            status=status_labels.get(status, status),
            progress=progress,
            base=bases.get(base_id),
            month_report=bases[base_id] if base_id in bases and bases[base_id].period == period else None,
        )
        for (
            pk,
            assignment_id,
            directive_id,
            number,
            directive_title,
            role,
            title,
            person,
            due,
            status,
            progress,
            base_id,
        ) in values
    ]
    return LedgerForm(period=period, rows=rows, directive_indicators=directive_indicators)


def slot_headers(slot: int) -> tuple[str, str]:
    """The headers of indicator slot ``slot`` (from 1): its name column and its value column."""
    return _("指标%(n)s") % {"n": slot}, _("数值%(n)s") % {"n": slot}


def headers(form: LedgerForm) -> list[str]:
    return [str(label) for _name, label, _width, _shaded in COLUMNS] + [
        header for slot in range(1, form.slots + 1) for header in slot_headers(slot)
    ]


def _month_title(period: datetime.date) -> str:
    return _("%(y)s 年 %(m)s 月") % {"y": period.year, "m": period.month}


def review_label(row: FormRow) -> str:
    """The 本月报送 cell: the month's report's review state, or 未报送."""
    month = row.month_report
    return str(dict(ReviewState.choices)[month.review_state]) if month else _("未报送")


def _sheet_row(row: FormRow, form: LedgerForm) -> tuple:
    base = row.base
    own = form.directive_indicators.get(row.directive_id, [])
    slots = []
    for slot in range(form.slots):
        indicator = own[slot] if slot < len(own) else None
        slots += [
            indicator_header(indicator) if indicator else None,
            base.indicators.get(indicator.pk) if indicator and base else None,
        ]
    return (
        row.milestone_id,
        row.directive,
        row.title,
        row.role,
        row.responsible_person,
        row.due_date,
        row.status,
        review_label(row),
        base.progress if base else row.progress,
        base.work_done if base else "",
        base.problems if base else "",
        base.next_steps if base else "",
        base.support_needed if base else "",
        str(YES if base and base.at_risk else NO) if base else "",
        *slots,
    )


def sheet(form: LedgerForm, *, enterprise: Enterprise, user) -> dict:
    """Keyword arguments for ``progress.exports.build_xlsx``: the form in the office layout."""
    width = len(COLUMNS) + 2 * form.slots
    reporter = person_name(user) if user.is_authenticated else ""
    phone = getattr(getattr(user, "profile", None), "phone", "") or enterprise.contact_phone
    info = [""] * width
    info[0] = _("填报单位:%(e)s") % {"e": enterprise.name}
    info[3] = _("填报人:%(p)s") % {"p": reporter}
    info[6] = _("联系电话:%(t)s") % {"t": phone}
    info[9] = _("填报日期:%(d)s") % {"d": formats.date_format(timezone.localdate(), "Y-m-d")}
    name_columns = [len(COLUMNS) + 2 * slot for slot in range(form.slots)]
    validations = [
        Validation(
            column=COLUMN_INDEX["progress"],
            kind="whole",
            minimum=0,
            maximum=100,
            message=_("进度应为 0–100 的整数。"),
        ),
        Validation(
            column=COLUMN_INDEX["at_risk"], kind="list", options=[str(YES), str(NO)], message=_("请选择“是”或“否”。")
        ),
        *(
            Validation(
                column=column + 1,
                kind="decimal",
                minimum=INDICATOR_BOUND * -1,
                maximum=INDICATOR_BOUND,
                message=_("请填写数值(各指标的允许范围在导入时检查)。"),
            )
            for column in name_columns
        ),
    ]
    return {
        # The month travels in the sheet's name: the import checks it against the month chosen.
        "sheet_title": f"{_('月度台账')} {form.period:%Y-%m}",
        "title": _("%(e)s工业互联网任务推进台账(%(month)s)")
        % {"e": enterprise.short_name, "month": _month_title(form.period)},
        "info": info,
        "headers": headers(form),
        "rows": [_sheet_row(row, form) for row in form.rows],
        "column_widths": [width for _name, _label, width, _shaded in COLUMNS] + [16, 9] * form.slots,
        "date_columns": (COLUMN_INDEX["due_date"],),
        "shaded_columns": [index for index, (*_rest, shaded) in enumerate(COLUMNS) if shaded] + name_columns,
        # Wrapped and top-aligned, so a row's short cells line up with its long text.
        "wrapped_columns": [
            COLUMN_INDEX[name] for name in ("title", "directive", "progress", *REPORT_TEXT_FIELDS, "at_risk")
        ]
        + name_columns
        + [column + 1 for column in name_columns],
        "validations": validations,
        "validation_rows": ROWS_FOR_NEW_MILESTONES,
        "frozen_columns": COLUMN_INDEX["title"] + 1,
    }


def csv_rows(form: LedgerForm) -> list[tuple]:
    return [_sheet_row(row, form) for row in form.rows]
