"""Ledger import: an .xlsx in the ledger layout adds milestones and their reports in bulk.

``read_ledger_file`` checks every row first and returns a row-by-row list of messages;
``ledger_import`` then adds the rows in one transaction, so a file with one bad row
imports nothing. Imported milestones are new and open; each row with 进展情况 gets a
report for the current period, filed through the same services as the web form.
"""

import dataclasses
import datetime
import re
import zipfile
from typing import IO

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from directives.models import Assignment
from enterprises.models import Enterprise
from progress.models import Milestone, MilestoneStatus
from progress.selectors.ledger_rows import LEDGER_HEADERS
from progress.services.ledger import (
    _record_plan_revision,
    current_period,
    milestone_create,
    period_is_closed,
    report_deadline,
    report_file,
)

MAX_ROWS = 5000
_COLUMNS = (
    "number",
    "directive",
    "title",
    "role",
    "responsible_person",
    "due_date",
    "work_done",
    "problems",
    "next_steps",
    "status",
    "updated_at",
)
_COLUMN = {name: index for index, name in enumerate(_COLUMNS)}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%?")
_FULL_WIDTH = str.maketrans({"(": "(", ")": ")", " ": " "})


@dataclasses.dataclass(frozen=True)
class ImportRow:
    line: int
    assignment: Assignment
    title: str
    responsible_person: str
    due_date: datetime.date
    work_done: str
    problems: str
    next_steps: str
    progress: int


@dataclasses.dataclass
class ParsedLedger:
    rows: list[ImportRow]
    errors: list[str]  # one message per bad row, "第 N 行:..."; empty when the file is good


@dataclasses.dataclass(frozen=True)
class ImportResult:
    milestones: int
    reports: int


def _normalise(text) -> str:
    return re.sub(r"\s+", "", str(text or "").translate(_FULL_WIDTH))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_value(cell):
    """Excel stores a cell shown as 40% as 0.4 and 100% as 1: read it as the percentage the user sees."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return f"{round(value * 100, 6):g}%"
    return value


def _header_matches(header: tuple) -> bool:
    got = [_normalise(cell) for cell in header[: len(LEDGER_HEADERS)]]
    layouts = []
    for language in {translation.get_language() or "zh-hans", "zh-hans"}:
        with translation.override(language):
            layouts.append([_normalise(title) for title in LEDGER_HEADERS])
    return got in layouts


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_progress(value) -> int | None:
    """0–100 from "40", 40, "40%" or the export's own "进行中(40%)"; None if unreadable."""
    if value is None or value == "":
        return 0
    if isinstance(value, int | float):
        # A cell formatted as a percentage holds 0.4 for 40% and 1.0 for 100%.
        number = round(value * 100, 6) if isinstance(value, float) and 0 < value <= 1 else float(value)
    else:
        match = _PERCENT.search(str(value))
        if match is None:
            return 0 if _normalise(value) == _normalise(MilestoneStatus.OPEN.label) else None
        number = float(match.group(1))
    if not number.is_integer() or not 0 <= number <= 100:
        return None
    return int(number)


def _assignments_by_label(enterprise: Enterprise) -> dict[str, Assignment]:
    """Both "二(2)" and "二(2) 打造垂直领域平台" find the assignment."""
    found: dict[str, Assignment] = {}
    for assignment in Assignment.objects.filter(enterprise=enterprise).select_related("directive"):
        directive = assignment.directive
        found[_normalise(f"{directive.number} {directive.title}")] = assignment
        found.setdefault(_normalise(directive.number), assignment)
    return found


def _lookup_assignment(cell: str, assignments: dict[str, Assignment]) -> Assignment | None:
    if not cell:
        return None
    whole = assignments.get(_normalise(cell))
    if whole is not None:
        return whole
    return assignments.get(_normalise(cell.translate(_FULL_WIDTH).split()[0]))


def _check_row(line: int, cells: tuple, assignments, existing: set, seen: set, period_closed: bool):
    """The row, or the list of what is wrong with it."""

    def cell(name: str):
        index = _COLUMN[name]
        return cells[index] if index < len(cells) else None

    problems: list[str] = []
    directive_cell = _text(cell("directive"))
    assignment = _lookup_assignment(directive_cell, assignments)
    if not directive_cell:
        problems.append(_("任务来源(条款)未填写"))
    elif assignment is None:
        problems.append(_("任务来源“%(d)s”不是本企业承担的任务") % {"d": directive_cell})

    title = _text(cell("title"))
    if not title:
        problems.append(_("工作任务未填写"))
    elif len(title) > 200:
        problems.append(_("工作任务超过 200 字"))

    role = _text(cell("role"))
    if role and assignment is not None and _normalise(role) != _normalise(assignment.get_role_display()):
        problems.append(_("牵头/参与应为“%(r)s”,与任务分解一致") % {"r": assignment.get_role_display()})

    person = _text(cell("responsible_person"))
    if not person:
        problems.append(_("责任人未填写"))
    elif len(person) > 50:
        problems.append(_("责任人超过 50 字"))

    due_date = _parse_date(cell("due_date"))
    if cell("due_date") in (None, ""):
        problems.append(_("时间节点未填写"))
    elif due_date is None:
        problems.append(_("时间节点“%(v)s”不是有效日期(如 2021-06-30)") % {"v": _text(cell("due_date"))})

    work_done = _text(cell("work_done"))
    report_problems, next_steps = _text(cell("problems")), _text(cell("next_steps"))
    progress = _parse_progress(cell("status"))
    if progress is None:
        problems.append(_("完成状态应为 0–100 的整数进度(如 40%%),现为“%(v)s”") % {"v": _text(cell("status"))})
    if not work_done and (report_problems or next_steps or progress):
        problems.append(_("填写了进度、存在问题或下步计划,但未填写进展情况"))
    if work_done and period_closed:
        problems.append(_("本月报送期已关账,不能再报送进展"))

    if assignment is not None and title:
        key = (assignment.pk, _normalise(title))
        if key in existing:
            problems.append(_("该任务下已有同名时间节点“%(t)s”") % {"t": title})
        elif key in seen:
            problems.append(_("与本文件中前面的行重复"))
        seen.add(key)

    if problems:
        return problems
    return ImportRow(
        line=line,
        assignment=assignment,
        title=title,
        responsible_person=person,
        due_date=due_date,
        work_done=work_done,
        problems=report_problems,
        next_steps=next_steps,
        progress=progress,
    )


def read_ledger_file(*, enterprise: Enterprise, file: IO[bytes]) -> ParsedLedger:
    """Check every row of an uploaded ledger for ``enterprise``; writes nothing."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return ParsedLedger(rows=[], errors=[_("无法读取该文件,请上传 .xlsx 格式的台账(可先下载模板)。")])
    try:
        lines = (tuple(_cell_value(cell) for cell in cells) for cells in workbook.worksheets[0].iter_rows())
        header = next(lines, None)
        if header is None or not _header_matches(header):
            return ParsedLedger(rows=[], errors=[_("第 1 行的表头与台账模板不一致,请使用下载的模板或导出的台账。")])
        assignments = _assignments_by_label(enterprise)
        existing = {
            (assignment_id, _normalise(title))
            for assignment_id, title in Milestone.objects.filter(assignment__enterprise=enterprise)
            .exclude(status=MilestoneStatus.WITHDRAWN)
            .values_list("assignment_id", "title")
        }
        period_closed = period_is_closed(current_period())
        rows: list[ImportRow] = []
        errors: list[str] = []
        seen: set = set()
        for line, cells in enumerate(lines, start=2):
            if all(_text(value) == "" for value in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                return ParsedLedger(rows=[], errors=[_("一次最多导入 %(n)s 行,请分批导入。") % {"n": MAX_ROWS}])
            checked = _check_row(line, cells, assignments, existing, seen, period_closed)
            if isinstance(checked, ImportRow):
                rows.append(checked)
            else:
                errors.append(_("第 %(line)s 行:%(problems)s") % {"line": line, "problems": ";".join(checked)})
    finally:
        workbook.close()
    if not rows and not errors:
        errors.append(_("文件中没有台账行。"))
    return ParsedLedger(rows=rows, errors=errors)


def ledger_import(*, enterprise: Enterprise, by, rows: list[ImportRow], source_name: str) -> ImportResult:
    """Add the checked rows, all or nothing. Precondition: ``rows`` came from ``read_ledger_file``
    for the same enterprise with no errors. A refusal by the ledger services (e.g. the period
    was closed meanwhile) rolls everything back and propagates as ``LedgerError``.
    """
    today = timezone.localdate()
    note = _("台账导入:%(name)s") % {"name": source_name}
    deadline = report_deadline(current_period())
    reports = 0
    with transaction.atomic():
        # An approved plan gets one revision for the whole file, not one per row.
        _record_plan_revision(enterprise=enterprise, by=by, note=note)
        for row in rows:
            milestone = milestone_create(
                assignment=row.assignment,
                by=by,
                title=row.title,
                start_date=min(today, row.due_date),
                due_date=row.due_date,
                responsible_person=row.responsible_person,
                revision_note=note,
                record_revision=False,
            )
            if row.work_done:
                report_file(
                    milestone=milestone,
                    by=by,
                    progress=row.progress,
                    work_done=row.work_done,
                    problems=row.problems,
                    next_steps=row.next_steps,
                    deadline=deadline,
                )
                reports += 1
    return ImportResult(milestones=len(rows), reports=reports)
