"""Supervision orders (督办单): SASAC issues and decides, the enterprise's liaisons sign and answer,
leaders read. A liaison sees only orders to its own enterprise (404 for the others)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enterprises.names import person_name
from progress import scoping
from progress.forms.bounds import positive_int
from progress.health import today
from progress.instructions.selectors import history_of
from progress.instructions.services import FollowupError
from progress.models import OPEN_ORDER_STATUSES, MilestoneStatus, OrderStatus, SupervisionOrder
from progress.orders import selectors, services
from progress.orders.forms import AnswerForm, CancelForm, DecisionForm, OrderForm

PAGE_SIZE = 50
DEFAULT_ANSWER_DAYS = 10


@login_required
@require_GET
def order_list(request):
    scoping.require_role(request.user)
    visible = scoping.visible_orders(request.user)
    status = request.GET.get("status", "")
    enterprise = request.GET.get("enterprise", "")
    counts = selectors.status_counts(visible)
    page = Paginator(selectors.orders_filtered(visible, status=status, enterprise=enterprise), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "progress/order_list.html",
        {
            "page": page,
            "rows": selectors.decorate(page.object_list, on=today()),
            "statuses": [(key, label, counts[key]) for key, label in OrderStatus.choices],
            "status": status,
            "enterprise": enterprise,
            "enterprises": scoping.visible_enterprises(request.user).only("code", "short_name")
            if scoping.sees_everything(request.user)
            else [],
            "is_sasac": scoping.is_sasac(request.user),
        },
    )


def _order_defaults(request, *, instruction, milestone) -> dict:
    profile = getattr(request.user, "profile", None)
    initial = {
        "answer_due": today() + datetime.timedelta(days=DEFAULT_ANSWER_DAYS),
        "contact_name": person_name(request.user),
        "contact_phone": profile.phone if profile else "",
    }
    if milestone is not None:
        initial |= {"title": _("关于加快推进“%(t)s”的督办") % {"t": milestone.title}, "milestones": [milestone.pk]}
    if instruction is not None:
        initial |= {"requirement": instruction.text}
        initial.setdefault("title", _("关于落实领导批示的督办"))
        if instruction.milestone_id:
            initial["milestones"] = [instruction.milestone_id]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    """SASAC issues an order; ``?enterprise=``, ``?milestone=`` and ``?instruction=`` fill it in."""
    scoping.require_sasac(request.user)
    source = request.POST if request.method == "POST" else request.GET
    milestone = instruction = None
    if milestone_id := positive_int(source.get("milestone")):
        milestone = scoping.get_milestone_for_user(request.user, milestone_id)
    if instruction_id := positive_int(source.get("instruction")):
        instruction = scoping.get_instruction_for_user(request.user, instruction_id)
    code = source.get("enterprise", "")
    if milestone is not None:
        enterprise = milestone.assignment.enterprise
    elif code:
        enterprise = scoping.get_enterprise_for_user(request.user, code)
    elif instruction is not None and instruction.enterprise_id:
        enterprise = instruction.enterprise
    else:
        enterprise = None
    context = {"enterprise": enterprise, "instruction": instruction, "milestone": milestone}
    if enterprise is None:
        context["enterprises"] = scoping.visible_enterprises(request.user).filter(is_active=True)
        return render(request, "progress/order_form.html", context)
    candidates = (
        scoping.visible_milestones(request.user)
        .filter(assignment__enterprise=enterprise)
        .exclude(status__in=[MilestoneStatus.WITHDRAWN, MilestoneStatus.CLOSED])
        .select_related("assignment__directive")
        .order_by("due_date", "id")
    )
    form = OrderForm(
        request.POST or None,
        milestones=candidates,
        initial=_order_defaults(request, instruction=instruction, milestone=milestone),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_issue(
                by=request.user,
                enterprise=enterprise,
                instruction=instruction,
                **{
                    name: data[name] for name in ("title", "requirement", "answer_due", "contact_name", "contact_phone")
                },
                milestones=data["milestones"],
            )
        except FollowupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("督办单 %(n)s 已签发,%(e)s 联络员将收到通知。") % {"n": order.number, "e": enterprise.short_name},
            )
            return redirect("progress:order_detail", order_id=order.pk)
    context["form"] = form
    return render(request, "progress/order_form.html", context, status=400 if request.method == "POST" else 200)


def _order_for(request, order_id: int) -> SupervisionOrder:
    scoping.require_role(request.user)
    return scoping.get_order_for_user(request.user, order_id, selectors.with_details(SupervisionOrder.objects.all()))


def _detail(request, order: SupervisionOrder, *, answer_form=None, decision_form=None, cancel_form=None, status=200):
    order = selectors.decorate([order], on=today())[0]
    can_answer = scoping.can_answer_order(request.user, order)
    return render(
        request,
        "progress/order_detail.html",
        {
            "order": order,
            "can_sign": can_answer and order.status == OrderStatus.ISSUED,
            "can_answer": can_answer and order.status in (OrderStatus.ISSUED, OrderStatus.SIGNED, OrderStatus.RETURNED),
            "can_decide": scoping.is_sasac(request.user) and order.status == OrderStatus.ANSWERED,
            "can_cancel": scoping.is_sasac(request.user) and order.status in OPEN_ORDER_STATUSES,
            "answer_form": answer_form or AnswerForm(),
            "decision_form": decision_form or DecisionForm(),
            "cancel_form": cancel_form or CancelForm(),
            "history": history_of(order.history.all(), _("督办单")),
        },
        status=status,
    )


@login_required
@require_GET
def order_detail(request, order_id: int):
    return _detail(request, _order_for(request, order_id))


@login_required
@require_GET
def order_print(request, order_id: int):
    """The order as the office prints it: one A4 sheet."""
    order = _order_for(request, order_id)
    # An official sheet names people the Chinese way: family name first.
    return render(
        request,
        "progress/order_print.html",
        {
            "order": order,
            "issuer": person_name(order.issued_by),
            "signer": person_name(order.signed_by) if order.signed_by else "",
        },
    )


@login_required
@require_POST
def order_sign(request, order_id: int):
    order = _order_for(request, order_id)
    scoping.require_answer_order(request.user, order)
    try:
        signed = services.order_sign(order=order, by=request.user)
    except FollowupError as error:
        messages.error(request, str(error))
    else:
        if signed:
            messages.success(
                request,
                _("已签收督办单 %(n)s,请在 %(d)s 前反馈办理情况。") % {"n": order.number, "d": order.answer_due},
            )
        else:
            messages.info(request, _("该督办单已签收过。"))
    return redirect("progress:order_detail", order_id=order.pk)


@login_required
@require_POST
def order_answer(request, order_id: int):
    order = _order_for(request, order_id)
    scoping.require_answer_order(request.user, order)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.order_answer(
                order=order,
                by=request.user,
                text=form.cleaned_data["text"],
                evidence_files=form.cleaned_data["evidence"],
            )
        except FollowupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("办理情况已反馈,等待国资委审核。"))
            return redirect("progress:order_detail", order_id=order.pk)
    else:
        messages.error(request, _("反馈未提交,请按提示修改。"))
    return _detail(request, order, answer_form=form, status=400)


def _decide(request, order_id: int, *, close: bool):
    order = _order_for(request, order_id)
    scoping.require_sasac(request.user)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if close:
                services.order_close(order=order, by=request.user, note=form.cleaned_data["comment"])
            else:
                services.order_return(order=order, by=request.user, comment=form.cleaned_data["comment"])
        except FollowupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("督办单已办结。") if close else _("已退回,企业将收到通知。"))
            return redirect("progress:order_detail", order_id=order.pk)
    else:
        messages.error(request, _("未保存,请按提示修改。"))
    return _detail(request, order, decision_form=form, status=400)


@login_required
@require_POST
def order_close(request, order_id: int):
    return _decide(request, order_id, close=True)


@login_required
@require_POST
def order_return(request, order_id: int):
    return _decide(request, order_id, close=False)


@login_required
@require_POST
def order_cancel(request, order_id: int):
    order = _order_for(request, order_id)
    scoping.require_sasac(request.user)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.order_cancel(order=order, by=request.user, reason=form.cleaned_data["reason"])
        except FollowupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("督办单 %(n)s 已作废,企业将收到通知。") % {"n": order.number})
            return redirect("progress:order_detail", order_id=order.pk)
    else:
        messages.error(request, _("未作废,请按提示修改。"))
    return _detail(request, order, cancel_form=form, status=400)


@login_required
@require_GET
def order_evidence_download(request, evidence_id: int):
    evidence = scoping.get_order_evidence_for_user(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
