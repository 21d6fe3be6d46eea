"""Ledger files: exports (.xlsx/.csv, live or as a closed period stood), import, reporting periods."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from progress import scoping
from progress.exports import build_csv, build_xlsx, file_response
from progress.forms.ledger_files import LedgerImportForm, PeriodCloseForm
from progress.models import ReportingPeriod
from progress.selectors.ledger_rows import (
    LedgerRow,
    ledger_rows,
    sheet_layout,
    sheet_rows,
    snapshot_rows,
)
from progress.services.ledger import LedgerError
from progress.services.ledger_import import ledger_import, read_ledger_file
from progress.services.periods import PeriodError, first_of_next_month, period_close

PERIODS_LISTED = 12


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise Http404 from None


def _closed_period(request) -> ReportingPeriod | None:
    """``?period=YYYY-MM``: the ledger as that closed month stood. An open or unknown month is a 404."""
    value = request.GET.get("period")
    if not value:
        return None
    period = ReportingPeriod.objects.filter(month=_month(value), closed_at__isnull=False).first()
    if period is None:
        raise Http404
    return period


def _ledger_response(rows: list[LedgerRow], *, kind: str, name: str, with_enterprise: bool):
    layout = sheet_layout(with_enterprise=with_enterprise)
    values = sheet_rows(rows, with_enterprise=with_enterprise)
    if kind == "xlsx":
        content = build_xlsx(sheet_title=_("台账"), rows=values, **layout)
    else:
        content = build_csv(headers=layout["headers"], rows=values)
    return file_response(content, filename=f"{name}.{kind}", kind=kind)


def _as_of(period: ReportingPeriod | None) -> str:
    return period.month.strftime("%Y-%m") if period else timezone.localdate().isoformat()


@login_required
@require_GET
def enterprise_ledger_export(request, code: str, kind: str):
    """The enterprise's 台账; with ``?period=`` the snapshot stored when that month was closed."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    period = _closed_period(request)
    if period is None:
        rows = ledger_rows(scoping.visible_milestones(request.user).filter(assignment__enterprise=enterprise))
    else:
        rows = snapshot_rows(period, scoping.visible_enterprises(request.user).filter(pk=enterprise.pk))
    name = _("%(e)s台账-%(d)s") % {"e": enterprise.short_name, "d": _as_of(period)}
    return _ledger_response(rows, kind=kind, name=name, with_enterprise=False)


@login_required
@require_GET
def ledger_export(request, kind: str):
    """The all-SOE ledger, for SASAC staff and leaders; liaisons have their enterprise's."""
    scoping.require_sees_everything(request.user)
    period = _closed_period(request)
    if period is None:
        rows = ledger_rows(scoping.visible_milestones(request.user))
    else:
        rows = snapshot_rows(period, scoping.visible_enterprises(request.user))
    name = _("市属企业台账-%(d)s") % {"d": _as_of(period)}
    return _ledger_response(rows, kind=kind, name=name, with_enterprise=True)


@login_required
@require_GET
def ledger_template(request, code: str):
    """An empty ledger in the import layout."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    name = _("%(e)s台账导入模板") % {"e": enterprise.short_name}
    return _ledger_response([], kind="xlsx", name=name, with_enterprise=False)


def _import(request, enterprise, upload) -> list[str]:
    """Check the whole file, then import it all; the messages of what is wrong, if anything."""
    parsed = read_ledger_file(enterprise=enterprise, file=upload)
    if parsed.errors:
        return parsed.errors
    try:
        result = ledger_import(enterprise=enterprise, by=request.user, rows=parsed.rows, source_name=upload.name)
    except LedgerError as error:
        return [str(error)]
    messages.success(
        request,
        _("已导入 %(m)s 个时间节点、%(r)s 条进展报送。") % {"m": result.milestones, "r": result.reports},
    )
    return []


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request, code: str):
    """A liaison (or SASAC) adds milestones and reports from an .xlsx; a bad row imports nothing."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    scoping.require_import_ledger(request.user, enterprise)
    errors: list[str] = []
    form = LedgerImportForm()
    if request.method == "POST":
        form = LedgerImportForm(request.POST, request.FILES)
        if form.is_valid():
            errors = _import(request, enterprise, form.cleaned_data["file"])
            if not errors:
                return redirect("progress:workspace", code=enterprise.code)
            messages.error(request, _("导入未完成,没有任何数据被导入。请按下列提示修改后重新上传。"))
    assignments = (
        scoping.visible_assignments(request.user)
        .filter(enterprise=enterprise)
        .select_related("directive")
        .order_by("directive__position")
    )
    return render(
        request,
        "progress/ledger_import.html",
        {"enterprise": enterprise, "form": form, "errors": errors, "assignments": assignments},
        status=400 if request.method == "POST" else 200,
    )


def _listed_months(today: datetime.date) -> list[datetime.date]:
    """The last PERIODS_LISTED finished months, newest first."""
    months, month = [], today.replace(day=1)
    for _i in range(PERIODS_LISTED):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


@login_required
@require_GET
def period_list(request):
    """Reporting months with their report counts; SASAC closes a finished month from here."""
    scoping.require_sees_everything(request.user)
    return render(request, "progress/period_list.html", _period_context(request))


def _period_context(request, *, confirm: datetime.date | None = None, form: PeriodCloseForm | None = None) -> dict:
    today = timezone.localdate()
    stored = {period.month: period for period in ReportingPeriod.objects.select_related("closed_by")}
    months = sorted(set(_listed_months(today)) | set(stored), reverse=True)
    counts = {
        row["period"]: row
        for row in scoping.visible_reports(request.user)
        .filter(period__in=months)
        .values("period")
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
    }
    rows = [
        {
            "month": month,
            "key": month.strftime("%Y-%m"),
            "period": stored.get(month),
            "closed": stored.get(month) is not None and stored[month].closed_at is not None,
            "finished": first_of_next_month(month) <= today,
            "reports": counts.get(month, {}).get("total", 0),
            "late": counts.get(month, {}).get("late", 0),
        }
        for month in months
    ]
    return {
        "rows": rows,
        "can_close": scoping.is_sasac(request.user),
        "confirm": confirm,
        "confirm_key": confirm.strftime("%Y-%m") if confirm else "",
        "form": form,
    }


@login_required
@require_http_methods(["GET", "POST"])
def period_close_view(request, month: str):
    """GET asks for confirmation; POST with the box ticked closes the month for good."""
    scoping.require_sasac(request.user)
    month_date = _month(month)
    form = PeriodCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            period_close(month=month_date, by=request.user)
        except PeriodError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(m)s 已关账:该月报送已冻结,台账已按当前状态存档。") % {"m": month_date.strftime("%Y-%m")},
            )
        return redirect("progress:period_list")
    context = _period_context(request, confirm=month_date, form=form)
    return render(request, "progress/period_list.html", context, status=400 if request.method == "POST" else 200)
