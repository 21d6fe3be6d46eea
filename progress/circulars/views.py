"""Circulars (督办通报), /circulars/: SASAC drafts a period's circular in one click, downloads it as
Word and PDF, issues it with its number; leaders read the issued ones; liaisons have no access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from progress import scoping
from progress.circulars import services
from progress.circulars.figures import Period
from progress.circulars.forms import DraftForm, FinalForm
from progress.models import Circular

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@login_required
@require_GET
def circular_list(request):
    scoping.require_sees_everything(request.user)
    circulars = scoping.visible_circulars(request.user).select_related("drafted_by", "issued_by")
    return render(
        request,
        "progress/circular_list.html",
        {"circulars": circulars, "form": DraftForm(), "is_sasac": scoping.is_sasac(request.user)},
    )


def _done(request, circular: Circular, problem: str, message: str):
    messages.success(request, message)
    if problem:
        messages.warning(request, problem)
    return redirect("progress:circular_detail", circular_id=circular.pk)


@login_required
@require_POST
def circular_draft(request):
    scoping.require_sasac(request.user)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要起草通报的月份或周。"))
        circulars = scoping.visible_circulars(request.user).select_related("drafted_by", "issued_by")
        return render(
            request, "progress/circular_list.html", {"circulars": circulars, "form": form, "is_sasac": True}, status=400
        )
    try:
        circular, problem = services.circular_draft(period=form.period(), by=request.user)
    except services.CircularError as error:
        messages.error(request, str(error))
        return redirect("progress:circular_list")
    return _done(
        request,
        circular,
        problem,
        _("已起草 %(p)s 督办通报,可下载 Word 修改文字后印发。") % {"p": circular.data["period"]},
    )


@login_required
@require_GET
def circular_detail(request, circular_id: int):
    scoping.require_sees_everything(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    return render(
        request,
        "progress/circular_detail.html",
        {
            "circular": circular,
            "data": circular.data,
            "is_sasac": scoping.is_sasac(request.user),
            "final_form": FinalForm(),
        },
    )


@login_required
@require_GET
def circular_download(request, circular_id: int, kind: str):
    scoping.require_sees_everything(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    stored = {"docx": circular.docx, "pdf": circular.pdf, "final": circular.final_docx}[kind]
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=services.file_name(circular, kind),
        content_type=CONTENT_TYPES["docx" if kind == "final" else kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def circular_redraft(request, circular_id: int):
    scoping.require_sasac(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    try:
        circular, problem = services.circular_draft(
            period=Period.of(circular.kind, circular.period_start), by=request.user
        )
    except services.CircularError as error:
        messages.error(request, str(error))
        return redirect("progress:circular_detail", circular_id=circular.pk)
    return _done(request, circular, problem, _("已按最新数据重新起草。"))


@login_required
@require_POST
def circular_issue(request, circular_id: int):
    scoping.require_sasac(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    try:
        circular, problem = services.circular_issue(circular=circular, by=request.user)
    except services.CircularError as error:
        messages.error(request, str(error))
        return redirect("progress:circular_detail", circular_id=circular.pk)
    return _done(request, circular, problem, _("通报已印发,文号 %(n)s,已存档。") % {"n": circular.number})


@login_required
@require_POST
def circular_discard(request, circular_id: int):
    scoping.require_sasac(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    try:
        services.circular_discard(circular=circular, by=request.user)
    except services.CircularError as error:
        messages.error(request, str(error))
        return redirect("progress:circular_detail", circular_id=circular.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("progress:circular_list")


@login_required
@require_POST
def circular_final(request, circular_id: int):
    """SASAC keeps the Word document the office circulated, edited from the issued one."""
    scoping.require_sasac(request.user)
    circular = scoping.get_circular_for_user(request.user, circular_id)
    form = FinalForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择定稿文件。"))
        return redirect("progress:circular_detail", circular_id=circular.pk)
    try:
        services.circular_attach_final(circular=circular, by=request.user, file=form.cleaned_data["file"])
    except services.CircularError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("定稿已存档。"))
    return redirect("progress:circular_detail", circular_id=circular.pk)
