"""Ledger files: exports (the monthly reporting form, or a closed period as it stood), import, reporting periods."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from progress import scoping
from progress.exports import build_csv, build_xlsx, file_response
from progress.forms.ledger_files import LedgerImportForm, PeriodCloseForm
from progress.models import LedgerImport, ReportingPeriod
from progress.selectors import ledger_form
from progress.selectors.ledger_rows import (
    LedgerRow,
    ledger_rows,
    sheet_layout,
    sheet_rows,
    snapshot_rows,
)
from progress.services.ledger import LedgerError, current_period
from progress.services.ledger_import import ImportPlan, ledger_import_commit, ledger_import_prepare
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


def _open_month(request) -> datetime.date:
    """``?month=YYYY-MM``: the reporting form of that month, which must still take reports; default this month."""
    value = request.GET.get("month")
    if not value:
        return current_period()
    month = _month(value)
    if month > current_period() or ReportingPeriod.objects.filter(month=month, closed_at__isnull=False).exists():
        raise Http404
    return month


def _ledger_response(rows: list[LedgerRow], *, kind: str, name: str, with_enterprise: bool, title: str):
    layout = sheet_layout(with_enterprise=with_enterprise)
    values = sheet_rows(rows, with_enterprise=with_enterprise)
    if kind == "xlsx":
        content = build_xlsx(sheet_title=_("台账"), title=title, rows=values, **layout)
    else:
        content = build_csv(headers=layout["headers"], rows=values)
    return file_response(content, filename=f"{name}.{kind}", kind=kind)


def _form_response(request, enterprise, form: ledger_form.LedgerForm, *, kind: str, name: str):
    """The monthly reporting form, the sheet a liaison fills in and imports back."""
    if kind == "xlsx":
        content = build_xlsx(**ledger_form.sheet(form, enterprise=enterprise, user=request.user))
    else:
        content = build_csv(headers=ledger_form.headers(form), rows=ledger_form.csv_rows(form))
    return file_response(content, filename=f"{name}.{kind}", kind=kind)


def _as_of(period: ReportingPeriod | None) -> str:
    return period.month.strftime("%Y-%m") if period else timezone.localdate().isoformat()


@login_required
@require_GET
def enterprise_ledger_export(request, code: str, kind: str):
    """The enterprise's monthly reporting form (``?month=`` an earlier open month); with ``?period=`` the
    ledger stored when that month was closed."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    period = _closed_period(request)
    name = _("%(e)s台账-%(d)s") % {"e": enterprise.short_name, "d": _as_of(period)}
    if period is None:
        month = _open_month(request)
        form = ledger_form.ledger_form(scoping.visible_milestones(request.user), enterprise=enterprise, period=month)
        name = _("%(e)s台账-%(d)s") % {"e": enterprise.short_name, "d": month.strftime("%Y-%m")}
        return _form_response(request, enterprise, form, kind=kind, name=name)
    rows = snapshot_rows(period, scoping.visible_enterprises(request.user).filter(pk=enterprise.pk))
    title = _("%(e)s工业互联网任务推进台账(%(p)s 关账存档)") % {"e": enterprise.short_name, "p": _as_of(period)}
    return _ledger_response(rows, kind=kind, name=name, with_enterprise=False, title=title)


@login_required
@require_GET
def ledger_export(request, kind: str):
    """The all-SOE ledger, for SASAC staff and leaders; liaisons have their enterprise's."""
    scoping.require_sees_everything(request.user)
    period = _closed_period(request)
    if period is None:
        rows = ledger_rows(scoping.visible_milestones(request.user))
        title = _("市属企业工业互联网任务推进台账(截至 %(d)s)") % {"d": _as_of(period)}
    else:
        rows = snapshot_rows(period, scoping.visible_enterprises(request.user))
        title = _("市属企业工业互联网任务推进台账(%(p)s 关账存档)") % {"p": _as_of(period)}
    name = _("市属企业台账-%(d)s") % {"d": _as_of(period)}
    return _ledger_response(rows, kind=kind, name=name, with_enterprise=True, title=title)


def _open_months() -> list[datetime.date]:
    """This month, and last month while it still takes reports (its reports are due in this one)."""
    this_month = current_period()
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    closed = ReportingPeriod.objects.filter(month=last_month, closed_at__isnull=False).exists()
    return [this_month] if closed else [this_month, last_month]


def _import_context(request, enterprise, **extra) -> dict:
    assignments = (
        scoping.visible_assignments(request.user)
        .filter(enterprise=enterprise)
        .select_related("directive")
        .order_by("directive__position")
    )
    return {"enterprise": enterprise, "assignments": assignments, "open_months": _open_months(), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request, code: str):
    """Upload the filled-in reporting form; it is read and checked, then previewed before anything is filed."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    scoping.require_import_ledger(request.user, enterprise)
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        pending, _plan = ledger_import_prepare(
            enterprise=enterprise,
            user=request.user,
            file=upload,
            file_name=upload.name,
            period=form.cleaned_data["period"],
        )
        return redirect("progress:ledger_import_preview", code=enterprise.code, token=pending.token)
    return render(
        request,
        "progress/ledger_import.html",
        _import_context(request, enterprise, form=form),
        status=400 if request.method == "POST" else 200,
    )


def _pending_import(request, code: str, token) -> tuple:
    """The user's own, unexpired, uncommitted preview for this enterprise; anything else is a 404."""
    enterprise = scoping.get_enterprise_for_user(request.user, code)
    scoping.require_import_ledger(request.user, enterprise)
    pending = LedgerImport.objects.filter(
        token=token,
        user=request.user,
        enterprise=enterprise,
        expires_at__gt=timezone.now(),
        committed_at__isnull=True,
    ).first()
    if pending is None:
        raise Http404(_("该导入预览不存在、已过期或已导入。"))
    return enterprise, pending


@login_required
@require_GET
def ledger_import_preview(request, code: str, token):
    """What the upload will do: reports to file, new milestones, unchanged rows, refused cells."""
    enterprise, pending = _pending_import(request, code, token)
    plan = ImportPlan.from_json(pending.plan)
    return render(
        request,
        "progress/ledger_import.html",
        _import_context(
            request,
            enterprise,
            pending=pending,
            plan=plan,
            updates=sum(1 for entry in plan.reports if entry["report"]),
            with_report=sum(1 for entry in plan.milestones if entry["report"]),
        ),
        status=200 if not plan.errors else 400,
    )


@login_required
@require_POST
def ledger_import_commit_view(request, code: str, token):
    """Commit the previewed plan, all or nothing."""
    enterprise, pending = _pending_import(request, code, token)
    try:
        result = ledger_import_commit(pending=pending, by=request.user)
    except LedgerError as error:
        messages.error(request, _("导入未完成,没有任何数据被导入:%(e)s") % {"e": error})
        return redirect("progress:ledger_import", code=enterprise.code)
    done = _("导入完成:报送 %(r)s 条进展,待国资委审核。") % {"r": result.reports}
    if result.milestones:
        done += _("新增 %(m)s 个时间节点。") % {"m": result.milestones}
    messages.success(request, done)
    return redirect("progress:workspace", code=enterprise.code)


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
