"""Ledger import: the monthly reporting form comes back filled in; preview, then commit all or nothing.

``read_ledger_file`` reads the upload within the bounds of ``progress.xlsx_reader`` and
compares every row with the ledger as it stands (``progress.selectors.ledger_form``, a
fixed number of queries whatever the size), giving an ``ImportPlan``:

- a row with a key (编号) whose progress, text, risk flag or indicator values differ from the
  milestone's newest report up to the month files the month's report, or updates it while
  it is pending or returned; an unchanged row is left alone, so a second import of the same
  file files nothing;
- a row without a key is a new milestone (only for the enterprise's liaison, as on the
  milestone form), with the month's report if it carries progress;
- a change to a column only SASAC may change (the task, its owner, due date and status)
  is not imported and is noted, with the way to ask for it;
- a bad cell refuses its row with the row, the column and the reason, and a plan with a
  refused row cannot be committed.

``ledger_import_prepare`` stores the plan server-side (``LedgerImport``) for the preview;
``ledger_import_commit`` files exactly that plan through the ledger services in one
transaction, once.
"""

import contextlib
import dataclasses
import datetime
import hashlib
import re
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives.models import Assignment, Indicator
from enterprises.models import Enterprise
from enterprises.templatetags.punctuation import colon
from progress import scoping
from progress.forms.bounds import positive_int
from progress.models import LedgerImport, Milestone, MilestoneStatus, ProgressReport, ReviewState
from progress.selectors.ledger_form import (
    COLUMN_INDEX,
    COLUMNS,
    NO,
    REPORT_TEXT_FIELDS,
    YES,
    FormRow,
    LedgerForm,
    directive_label,
    indicator_header,
    ledger_form,
    review_label,
    slot_headers,
)
from progress.services.ledger import (
    LedgerError,
    _record_plan_revision,
    milestone_create,
    period_is_closed,
    plan_is_approved,
    report_deadline,
    report_file,
    report_update,
)
from progress.xlsx_reader import Limits, SpreadsheetError, read_first_sheet

LIMITS = Limits()
PREVIEW_LIFETIME = datetime.timedelta(hours=2)
# The header is looked for in the first rows: above it the title and the 填报单位 line.
HEADER_SEARCH_ROWS = 10
EARLIEST_DATE, LATEST_DATE = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)
TITLE_MAX, PERSON_MAX = 200, 50
_FULL_WIDTH = str.maketrans({"(": "(", ")": ")", " ": " ", "%": "%", ",": ","})
_PROGRESS = re.compile(r"(\d{1,3})\s*%?")
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# The exported form's sheet is named "月度台账 2026-11" (a renamed sheet is not checked).
_SHEET_MONTH = re.compile(r"(\d{4}-\d{2})\s*$")
_READ_ONLY = ("directive", "title", "role", "responsible_person", "due_date", "status", "review_state")


@dataclasses.dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(line)s 行") % {"line": self.line}
        return f"{where} {self.column}{colon()}{self.message}" if self.column else f"{where}{colon()}{self.message}"


class _Refused(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _label(name: str) -> str:
    return str(COLUMNS[COLUMN_INDEX[name]][1])


def _normalise(text) -> str:
    return re.sub(r"\s+", "", str(text or "").translate(_FULL_WIDTH))


def _clean_text(value) -> str:
    """Text as stored: no NUL (PostgreSQL refuses it), Windows line ends unified, outer blanks trimmed."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    elif isinstance(value, datetime.datetime):
        value = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    return str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _shown(value) -> str:
    text = _clean_text(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_progress(value, column: str) -> int | None:
    """0–100 as typed: 40, "40", "40%" or a cell formatted as 40 %; anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Refused(column, _("“%(v)s”不是 0–100 的整数") % {"v": value})
    if isinstance(value, Decimal):
        if value != value.to_integral_value() or not 0 <= value <= 100:
            raise _Refused(column, _("%(v)s 不在 0–100 的整数范围内") % {"v": _shown(value)})
        return int(value)
    text = _clean_text(value).translate(_FULL_WIDTH)
    match = _PROGRESS.fullmatch(text)
    if match is None:
        raise _Refused(column, _("“%(v)s”不是 0–100 的整数进度(如 40 或 40%%)") % {"v": _shown(value)})
    number = int(match.group(1))
    if number > 100:
        raise _Refused(column, _("%(v)s 不在 0–100 的整数范围内") % {"v": _shown(value)})
    return number


def parse_date(value, column: str) -> datetime.date:
    """A date cell, or text such as 2021-06-30, 2021/6/30 or 2021年6月30日, between 2000 and 2100."""
    if isinstance(value, datetime.datetime):
        date = value.date()
    else:
        match = _DATE_TEXT.fullmatch(_clean_text(value)) if isinstance(value, str) else None
        if match is None:
            raise _Refused(column, _("“%(v)s”不是有效日期(如 2021-06-30)") % {"v": _shown(value)})
        try:
            date = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Refused(column, _("“%(v)s”不是有效日期(如 2021-06-30)") % {"v": _shown(value)}) from None
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        raise _Refused(column, _("日期 %(v)s 不在 2000–2100 年之间") % {"v": date.isoformat()})
    return date


def parse_decimal(value, indicator: Indicator, column: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Refused(column, _("“%(v)s”不是数值") % {"v": value})
    if isinstance(value, Decimal):
        number = value
    else:
        text = _clean_text(value).translate(_FULL_WIDTH)
        if _NUMBER.fullmatch(text) is None:
            raise _Refused(column, _("“%(v)s”不是数值") % {"v": _shown(value)})
        number = Decimal(text.replace(",", ""))
    try:
        number = number.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _Refused(column, _("%(v)s 超出允许范围") % {"v": _shown(value)}) from None
    if number != (value if isinstance(value, Decimal) else Decimal(_clean_text(value).replace(",", ""))):
        raise _Refused(column, _("%(v)s 最多保留两位小数") % {"v": _shown(value)})
    if number < indicator.min_value or (indicator.max_value is not None and number > indicator.max_value):
        upper = indicator.max_value if indicator.max_value is not None else "∞"
        raise _Refused(
            column,
            _("%(v)s 不在 %(min)s–%(max)s 之间") % {"v": _shown(value), "min": indicator.min_value, "max": upper},
        )
    if abs(number) >= Decimal("1e12"):
        raise _Refused(column, _("%(v)s 超出允许范围") % {"v": _shown(value)})
    return number


def parse_flag(value, column: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = _normalise(value).lower()
    for flag, words in ((True, {str(YES), "yes", "y", "1"}), (False, {str(NO), "no", "n", "0"})):
        if text in {_normalise(word).lower() for word in words}:
            return flag
    raise _Refused(column, _("请填写“是”或“否”,现为“%(v)s”") % {"v": _shown(value)})


# --- the plan -----------------------------------------------------------------------


@dataclasses.dataclass
class ImportPlan:
    period: datetime.date
    reports: list[dict] = dataclasses.field(default_factory=list)  # reports to file or update
    milestones: list[dict] = dataclasses.field(default_factory=list)  # new milestones
    unchanged: int = 0
    refused: list[Problem] = dataclasses.field(default_factory=list)
    notes: list[Problem] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)  # the file as a whole cannot be read

    @property
    def refused_rows(self) -> int:
        """How many rows the problems are on (a row may have several)."""
        return len({problem.line for problem in self.refused})

    @property
    def can_commit(self) -> bool:
        return not self.errors and not self.refused and bool(self.reports or self.milestones)

    def to_json(self) -> dict:
        return {
            "period": self.period.isoformat(),
            "reports": self.reports,
            "milestones": self.milestones,
            "unchanged": self.unchanged,
            "refused": [dataclasses.asdict(problem) for problem in self.refused],
            "notes": [dataclasses.asdict(problem) for problem in self.notes],
            "errors": self.errors,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportPlan":
        return cls(
            period=datetime.date.fromisoformat(data["period"]),
            reports=data["reports"],
            milestones=data["milestones"],
            unchanged=data["unchanged"],
            refused=[Problem(**problem) for problem in data["refused"]],
            notes=[Problem(**problem) for problem in data["notes"]],
            errors=data["errors"],
        )


def _header_layouts() -> list[list[str]]:
    """The fixed headers in the user's language and in Chinese (a sheet exported in either comes back)."""
    layouts = []
    for language in dict.fromkeys([translation.get_language() or "zh-hans", "zh-hans"]):
        with translation.override(language):
            layouts.append([_normalise(label) for _name, label, _width, _shaded in COLUMNS])
    return layouts


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    """The index in ``rows`` of the header row, or None."""
    layouts = _header_layouts()
    for index, (_line, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        got = [_normalise(value) for value in values[: len(COLUMNS)]]
        if got in layouts:
            return index
    return None


@dataclasses.dataclass
class _Context:
    form: LedgerForm
    header: list
    by_key: dict[int, FormRow]
    slots: list[tuple[int, int]]  # the sheet columns of each indicator slot: its name, its value
    indicators: dict[int, Indicator]
    assignments: dict[str, Assignment]
    existing_titles: set[tuple[int, str]]
    may_add: bool


def _slot_columns(header: list, plan: ImportPlan, line: int) -> list[tuple[int, int]]:
    """The (name, value) columns of the indicator slots, found by their headers in either language."""
    labels: dict[str, tuple[int, str]] = {}
    for language in dict.fromkeys([translation.get_language() or "zh-hans", "zh-hans"]):
        with translation.override(language):
            for slot in range(1, len(header)):
                name, value = slot_headers(slot)
                labels.setdefault(_normalise(name), (slot, "name"))
                labels.setdefault(_normalise(value), (slot, "value"))
    found: dict[int, dict[str, int]] = {}
    for index in range(len(COLUMNS), len(header)):
        text = _normalise(header[index])
        if not text:
            continue
        if text in labels:
            slot, part = labels[text]
            found.setdefault(slot, {})[part] = index
        else:
            plan.notes.append(Problem(line, str(header[index])[:40], _("不是本企业台账的列,该列内容不会导入。")))
    return [(parts["name"], parts["value"]) for _slot, parts in sorted(found.items()) if len(parts) == 2]


def _assignments_by_label(enterprise: Enterprise) -> dict[str, Assignment]:
    """Both "二(2)" and "二(2) 打造垂直领域平台" find the assignment."""
    found: dict[str, Assignment] = {}
    for assignment in Assignment.objects.filter(enterprise=enterprise).select_related("directive", "enterprise"):
        directive = assignment.directive
        found[_normalise(directive_label(directive.number, directive.title))] = assignment
        found.setdefault(_normalise(directive.number), assignment)
    return found


def _lookup_assignment(text: str, assignments: dict[str, Assignment]) -> Assignment | None:
    whole = assignments.get(_normalise(text))
    if whole is not None:
        return whole
    first = text.translate(_FULL_WIDTH).split()
    return assignments.get(_normalise(first[0])) if first else None


def _header_text(context: _Context, index: int) -> str:
    return _clean_text(_cell(context.header, index))


def _cell(values: list, index: int):
    return values[index] if index < len(values) else None


def _report_values(values: list, context: _Context, directive_id: int, problems: list) -> dict:
    """The report columns of a row, strictly parsed; a bad cell adds to ``problems``."""
    result: dict = {}

    def attempt(name, parse):
        try:
            result[name] = parse()
        except _Refused as refused:
            problems.append((refused.column, refused.message))

    attempt("progress", lambda: parse_progress(_cell(values, COLUMN_INDEX["progress"]), _label("progress")))
    for name in REPORT_TEXT_FIELDS:
        result[name] = _clean_text(_cell(values, COLUMN_INDEX[name]))
    attempt("at_risk", lambda: parse_flag(_cell(values, COLUMN_INDEX["at_risk"]), _label("at_risk")))
    own = {_normalise(indicator_header(i)): i for i in context.form.directive_indicators.get(directive_id, [])}
    indicators: dict[str, Decimal | None] = {}
    for name_column, value_column in context.slots:
        name, raw = _clean_text(_cell(values, name_column)), _cell(values, value_column)
        if not name:
            if raw not in (None, ""):
                problems.append(
                    (_header_text(context, value_column), _("没有对应的指标名称,请填在有指标名称的数值格中"))
                )
            continue
        indicator = own.get(_normalise(name))
        if indicator is None:
            problems.append((_header_text(context, name_column), _("“%(v)s”不是本行任务的指标") % {"v": _shown(name)}))
        elif str(indicator.pk) in indicators:
            problems.append((_header_text(context, name_column), _("指标“%(v)s”重复填写") % {"v": _shown(name)}))
        else:
            try:
                indicators[str(indicator.pk)] = parse_decimal(raw, indicator, indicator_header(indicator))
            except _Refused as refused:
                problems.append((refused.column, refused.message))
    result["indicators"] = indicators
    return result


def _changes(row: FormRow, values: dict, context: _Context) -> list[tuple[str, str, str]]:
    """What the row changes against the milestone's newest report: (column, before, after)."""
    base = row.base
    before = {
        "progress": base.progress if base else row.progress,
        **{name: _clean_text(getattr(base, name)) if base else "" for name in REPORT_TEXT_FIELDS},
        "at_risk": base.at_risk if base else False,
    }
    changes = []
    progress = values["progress"] if values["progress"] is not None else before["progress"]
    if progress != before["progress"]:
        changes.append((_label("progress"), str(before["progress"]), str(progress)))
    for name in REPORT_TEXT_FIELDS:
        if values[name] != before[name]:
            changes.append((_label(name), _shown(before[name]), _shown(values[name])))
    at_risk = bool(values["at_risk"])
    if at_risk != before["at_risk"]:
        changes.append((_label("at_risk"), str(YES if before["at_risk"] else NO), str(YES if at_risk else NO)))
    for key, value in values["indicators"].items():
        old = base.indicators.get(int(key)) if base else None
        if value != old:
            changes.append((indicator_header(context.indicators[int(key)]), _shown(old), _shown(value)))
    return changes


def _read_only_notes(line: int, values: list, row: FormRow) -> list[Problem]:
    """Changes to SASAC's columns are not imported: say so, and how to ask for them."""
    notes = []
    current = {
        "directive": row.directive,
        "title": row.title,
        "role": row.role,
        "responsible_person": row.responsible_person,
        "status": row.status,
        "review_state": review_label(row),
    }
    for name in _READ_ONLY:
        raw = _cell(values, COLUMN_INDEX[name])
        if name == "due_date":
            try:
                same = raw in (None, "") or parse_date(raw, "") == row.due_date
            except _Refused:
                same = False
            if not same:
                notes.append(
                    Problem(
                        line, _label(name), _("时间节点由国资委确定,导入时不修改;如需延期,请在时间节点页面提出申请。")
                    )
                )
        elif raw not in (None, "") and _normalise(_clean_text(raw)) != _normalise(current[name]):
            message = {
                "status": _("状态由国资委确定,导入时不修改。"),
                "review_state": _("本月报送的审核状态由国资委审核决定,导入时不修改。"),
            }.get(name, _("该列为只读,导入时不修改;如需调整,请在时间节点页面办理。"))
            notes.append(Problem(line, _label(name), message))
    return notes


def _keyed_row(line: int, values: list, row: FormRow, context: _Context, plan: ImportPlan) -> None:
    plan.notes.extend(_read_only_notes(line, values, row))
    problems: list[tuple[str, str]] = []
    report = _report_values(values, context, row.directive_id, problems)
    if problems:
        plan.refused.extend(Problem(line, column, message) for column, message in problems)
        return
    changes = _changes(row, report, context)
    if not changes:
        plan.unchanged += 1
        return
    month = row.month_report
    refusal = None
    if row.status != str(MilestoneStatus.OPEN.label):
        refusal = _("该时间节点%(s)s,不能再报送进展。") % {"s": row.status}
    elif not context.may_add:
        refusal = _("只有本企业联络员可以报送进展。")
    elif month is not None and month.review_state == ReviewState.ACCEPTED:
        refusal = _("本月报送已审核通过,不能再修改。")
    elif not report["work_done"]:
        refusal = _("修改了本行,但“进展情况”为空;报送须填写进展情况。")
    if refusal:
        plan.refused.append(Problem(line, "", refusal))
        return
    base = row.base
    plan.reports.append(
        {
            "line": line,
            "milestone": row.milestone_id,
            "title": row.title,
            "report": month.pk if month else None,
            "version": month.version if month else None,
            "returned": bool(month and month.review_state == ReviewState.RETURNED),
            "fields": {
                "progress": report["progress"] if report["progress"] is not None else (base.progress if base else 0),
                **{name: report[name] for name in REPORT_TEXT_FIELDS},
                "at_risk": bool(report["at_risk"]),
            },
            "indicators": {key: None if value is None else str(value) for key, value in report["indicators"].items()},
            "changes": changes,
        }
    )


def _new_row(line: int, values: list, context: _Context, plan: ImportPlan, seen: dict) -> None:
    problems: list[tuple[str, str]] = []
    if not context.may_add:
        plan.refused.append(Problem(line, "", _("没有编号的行将新增时间节点,只有本企业联络员可以新增。")))
        return
    directive_text = _clean_text(_cell(values, COLUMN_INDEX["directive"]))
    assignment = _lookup_assignment(directive_text, context.assignments) if directive_text else None
    if not directive_text:
        problems.append((_label("directive"), _("未填写(新增时间节点须填写条款序号,如 二(2))")))
    elif assignment is None:
        problems.append((_label("directive"), _("“%(d)s”不是本企业承担的任务") % {"d": _shown(directive_text)}))
    title = _clean_text(_cell(values, COLUMN_INDEX["title"]))
    if not title:
        problems.append((_label("title"), _("未填写")))
    elif len(title) > TITLE_MAX:
        problems.append((_label("title"), _("超过 %(n)s 字") % {"n": TITLE_MAX}))
    role = _clean_text(_cell(values, COLUMN_INDEX["role"]))
    if role and assignment is not None and _normalise(role) != _normalise(assignment.get_role_display()):
        problems.append((_label("role"), _("应为“%(r)s”,与任务分解一致") % {"r": assignment.get_role_display()}))
    person = _clean_text(_cell(values, COLUMN_INDEX["responsible_person"]))
    if not person:
        problems.append((_label("responsible_person"), _("未填写")))
    elif len(person) > PERSON_MAX:
        problems.append((_label("responsible_person"), _("超过 %(n)s 字") % {"n": PERSON_MAX}))
    due_date = None
    raw_due = _cell(values, COLUMN_INDEX["due_date"])
    if raw_due in (None, ""):
        problems.append((_label("due_date"), _("未填写")))
    else:
        try:
            due_date = parse_date(raw_due, _label("due_date"))
        except _Refused as refused:
            problems.append((refused.column, refused.message))
    report = _report_values(values, context, assignment.directive_id if assignment else 0, problems)
    has_report = report.get("progress") or any(report.get(name) for name in REPORT_TEXT_FIELDS)
    has_report = has_report or report.get("at_risk") or any(v is not None for v in report["indicators"].values())
    if has_report and not report.get("work_done"):
        problems.append((_label("work_done"), _("填写了进度、问题或指标,须同时填写进展情况")))
    if assignment is not None and title:
        key = (assignment.pk, _normalise(title))
        if key in context.existing_titles:
            problems.append((_label("title"), _("该任务下已有同名时间节点“%(t)s”") % {"t": _shown(title)}))
        elif key in seen:
            problems.append((_label("title"), _("与第 %(n)s 行重复") % {"n": seen[key]}))
        else:
            seen[key] = line
    if problems:
        plan.refused.extend(Problem(line, column, message) for column, message in problems)
        return
    plan.milestones.append(
        {
            "line": line,
            "assignment": assignment.pk,
            "directive": directive_label(assignment.directive.number, assignment.directive.title),
            "title": title,
            "responsible_person": person,
            "due_date": due_date.isoformat(),
            "report": {
                "fields": {
                    "progress": report["progress"] or 0,
                    **{name: report[name] for name in REPORT_TEXT_FIELDS},
                    "at_risk": bool(report["at_risk"]),
                },
                "indicators": {
                    key: None if value is None else str(value) for key, value in report["indicators"].items()
                },
            }
            if has_report
            else None,
        }
    )


def _key(value) -> int | None:
    if isinstance(value, Decimal) and value == value.to_integral_value() and 0 < value < 2**31:
        return int(value)
    text = _clean_text(value)
    return positive_int(text)


def read_ledger_file(*, enterprise: Enterprise, user, file: IO[bytes], period: datetime.date) -> ImportPlan:
    """Read and check an uploaded reporting form for ``enterprise`` and ``period``; writes nothing."""
    plan = ImportPlan(period=period)
    try:
        sheet = read_first_sheet(file, LIMITS)
    except SpreadsheetError as error:
        plan.errors.append(str(error))
        return plan
    month = _SHEET_MONTH.search(sheet.name)
    if month and month.group(1) != f"{period:%Y-%m}":
        message = _("这是 %(sheet)s 的台账,与所选报送期 %(period)s 不一致。")
        advice = _("请选择报送期 %(sheet)s,或导出 %(period)s 的台账填写。")
        months = {"sheet": month.group(1), "period": f"{period:%Y-%m}"}
        plan.errors.append((message + advice) % months)
        return plan
    rows = sheet.rows
    form = ledger_form(scoping.visible_milestones(user), enterprise=enterprise, period=period)
    header_index = _find_header(rows)
    if header_index is None:
        plan.errors.append(_("找不到台账的表头(编号、任务来源……)。请使用本系统导出的台账填写。"))
        return plan
    header_line, header = rows[header_index]
    context = _Context(
        form=form,
        by_key={row.milestone_id: row for row in form.rows},
        slots=_slot_columns(header, plan, header_line),
        indicators={i.pk: i for indicators in form.directive_indicators.values() for i in indicators},
        header=header,
        assignments=_assignments_by_label(enterprise),
        existing_titles={
            (assignment_id, _normalise(title))
            for assignment_id, title in Milestone.objects.filter(assignment__enterprise=enterprise)
            .exclude(status=MilestoneStatus.WITHDRAWN)
            .values_list("assignment_id", "title")
        },
        may_add=scoping.can_edit_enterprise(user, enterprise),
    )
    keys_seen: dict[int, int] = {}
    titles_seen: dict = {}
    for line, values in rows[header_index + 1 :]:
        if all(_clean_text(value) == "" for value in values):
            continue
        raw_key = _cell(values, COLUMN_INDEX["key"])
        if raw_key in (None, ""):
            _new_row(line, values, context, plan, titles_seen)
            continue
        key = _key(raw_key)
        row = context.by_key.get(key) if key is not None else None
        if row is None:
            plan.refused.append(
                Problem(line, _label("key"), _("“%(k)s”不是本企业的时间节点编号") % {"k": _shown(raw_key)})
            )
        elif key in keys_seen:
            plan.refused.append(Problem(line, _label("key"), _("与第 %(n)s 行编号相同") % {"n": keys_seen[key]}))
        else:
            keys_seen[key] = line
            _keyed_row(line, values, row, context, plan)
    if not (plan.reports or plan.milestones or plan.refused or plan.unchanged):
        plan.errors.append(_("文件中没有台账行。"))
    if plan.milestones and plan_is_approved(enterprise):
        plan.notes.append(Problem(header_line, "", _("实施方案已批准:本次新增的时间节点将作为一次方案修订记录在案。")))
    return plan


# --- preview and commit -------------------------------------------------------------


def ledger_import_prepare(
    *, enterprise: Enterprise, user, file: IO[bytes], file_name: str, period: datetime.date
) -> tuple[LedgerImport, ImportPlan]:
    """Read the upload and keep its plan for the preview; expired previews are removed on the way."""
    plan = read_ledger_file(enterprise=enterprise, user=user, file=file, period=period)
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(65536):
        digest.update(chunk)
    now = timezone.now()
    LedgerImport.objects.filter(expires_at__lt=now).delete()
    pending = LedgerImport.objects.create(
        user=user,
        enterprise=enterprise,
        period=period,
        file_name=file_name[:255],
        sha256=digest.hexdigest(),
        plan=plan.to_json(),
        expires_at=now + PREVIEW_LIFETIME,
    )
    return pending, plan


@dataclasses.dataclass(frozen=True)
class ImportResult:
    reports: int
    milestones: int


def _indicator_mapping(data: dict, indicators: dict[int, Indicator]) -> dict[Indicator, Decimal | None]:
    return {indicators[int(key)]: None if value is None else Decimal(value) for key, value in data.items()}


@contextlib.contextmanager
def _changed_since_preview(line: int):
    """A service's refusal while committing a previewed row: the ledger changed since the preview."""
    try:
        yield
    except LedgerError as error:
        raise LedgerError(
            _("第 %(n)s 行:%(e)s 预览之后台账可能已有变化,请重新导出或重新上传。") % {"n": line, "e": error}
        ) from error


def ledger_import_commit(*, pending: LedgerImport, by) -> ImportResult:
    """File the stored plan through the ledger services, all or nothing, and only once.

    Precondition: ``pending`` belongs to ``by`` and has not expired (the view fetched it so).
    A refusal by the services (the month was closed, someone changed a report meanwhile)
    rolls everything back and propagates as ``LedgerError``.
    """
    plan = ImportPlan.from_json(pending.plan)
    if not plan.can_commit:
        raise LedgerError(_("该文件未通过检查,不能导入。请按提示修改后重新上传。"))
    note = _("台账导入:%(name)s") % {"name": pending.file_name}
    with transaction.atomic():
        claimed = LedgerImport.objects.filter(pk=pending.pk, committed_at__isnull=True).update(
            committed_at=timezone.now()
        )
        if claimed != 1:
            raise LedgerError(_("该文件已经导入过,没有重复导入。"))
        if period_is_closed(plan.period):
            raise LedgerError(_("%(p)s 报送期已关账,不能再导入。") % {"p": plan.period.strftime("%Y-%m")})
        deadline = report_deadline(plan.period)
        indicator_ids = {
            int(key)
            for entry in [*plan.reports, *(m["report"] for m in plan.milestones if m["report"])]
            for key in entry["indicators"]
        }
        indicators = Indicator.objects.in_bulk(indicator_ids)
        milestones = Milestone.objects.select_related("assignment__enterprise").in_bulk(
            [entry["milestone"] for entry in plan.reports]
        )
        reports = ProgressReport.objects.in_bulk([entry["report"] for entry in plan.reports if entry["report"]])
        for entry in plan.reports:
            milestone = milestones.get(entry["milestone"])
            if milestone is None or milestone.assignment.enterprise_id != pending.enterprise_id:
                raise LedgerError(_("第 %(n)s 行的时间节点已不存在,请重新上传。") % {"n": entry["line"]})
            values = _indicator_mapping(entry["indicators"], indicators)
            report = reports.get(entry["report"]) if entry["report"] else None
            if entry["report"] and report is None:
                raise LedgerError(_("第 %(n)s 行的报送已不存在,请重新上传。") % {"n": entry["line"]})
            with _changed_since_preview(entry["line"]):
                if report is not None:
                    report_update(
                        report=report,
                        by=by,
                        expected_version=entry["version"],
                        indicator_values=values,
                        **entry["fields"],
                    )
                else:
                    report_file(
                        milestone=milestone,
                        by=by,
                        period=plan.period,
                        indicator_values=values,
                        deadline=deadline,
                        **entry["fields"],
                    )
        if plan.milestones:
            # An approved plan gets one revision for the whole file, not one per row.
            _record_plan_revision(enterprise=pending.enterprise, by=by, note=note)
            assignments = Assignment.objects.select_related("enterprise").in_bulk(
                [entry["assignment"] for entry in plan.milestones]
            )
            today = timezone.localdate()
            for entry in plan.milestones:
                assignment = assignments.get(entry["assignment"])
                if assignment is None or assignment.enterprise_id != pending.enterprise_id:
                    raise LedgerError(_("第 %(n)s 行的任务已不存在,请重新上传。") % {"n": entry["line"]})
                due_date = datetime.date.fromisoformat(entry["due_date"])
                with _changed_since_preview(entry["line"]):
                    milestone = milestone_create(
                        assignment=assignment,
                        by=by,
                        title=entry["title"],
                        start_date=min(today, due_date),
                        due_date=due_date,
                        responsible_person=entry["responsible_person"],
                        revision_note=note,
                        record_revision=False,
                    )
                    if entry["report"]:
                        report_file(
                            milestone=milestone,
                            by=by,
                            period=plan.period,
                            indicator_values=_indicator_mapping(entry["report"]["indicators"], indicators),
                            deadline=deadline,
                            **entry["report"]["fields"],
                        )
    return ImportResult(
        reports=len(plan.reports) + sum(1 for entry in plan.milestones if entry["report"]),
        milestones=len(plan.milestones),
    )
