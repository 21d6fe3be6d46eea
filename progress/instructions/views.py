"""Leaders' instructions (批示): /instructions/ — the leader's "我的批示落实情况" and SASAC's work list.

Leaders write; SASAC staff assign, report back and close; liaisons have no access (403).
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directives.models import Directive
from progress import scoping
from progress.forms.bounds import positive_int
from progress.health import today
from progress.instructions import selectors, services
from progress.instructions.forms import AssignForm, InstructionForm, TextForm
from progress.models import Instruction, InstructionStatus

PAGE_SIZE = 20
# The board's filters a chart bar's link may carry (progress.filters.MilestoneFilter).
BOARD_FILTERS = (
    "q",
    "enterprise",
    "sector",
    "category",
    "directive",
    "health",
    "status",
    "due_from",
    "due_to",
    "at_risk",
)


@login_required
@require_GET
def instruction_list(request):
    scoping.require_sees_everything(request.user)
    leader = scoping.is_leader(request.user)
    mine = request.GET.get("all") != "1" if leader else False
    status = request.GET.get("status", "")
    visible = scoping.visible_instructions(request.user)
    counted = visible.filter(author=request.user) if mine else visible
    counts = selectors.status_counts(counted)
    rows = selectors.instructions_filtered(visible, status=status, mine_of=request.user if mine else None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/instruction_list.html",
        {
            "page": page,
            "rows": selectors.decorate(page.object_list, on=today()),
            "statuses": [(key, label, counts[key]) for key, label in InstructionStatus.choices],
            "status": status,
            "mine": mine,
            "is_leader": leader,
        },
    )


def _selection(raw: str) -> str:
    """A chart bar's board query, reduced to the board's own filters, or "" if none is left."""
    query = QueryDict(raw.lstrip("?"))
    kept = [(key, value) for key in BOARD_FILTERS for value in query.getlist(key)[:1] if value]
    return urlencode(kept)[:500]


def _subject(request, source) -> dict:
    """The instruction's subject from the query (or the form's hidden fields), each looked up through scoping."""
    subject = {}
    user = request.user
    if milestone_id := positive_int(source.get("milestone")):
        subject["milestone"] = scoping.get_milestone_for_user(user, milestone_id)
    elif (directive_id := positive_int(source.get("directive"))) and not source.get("selection"):
        try:
            subject["directive"] = Directive.objects.get(pk=directive_id, is_active=True)
        except Directive.DoesNotExist:
            raise Http404 from None
    elif source.get("enterprise") and not source.get("selection"):
        subject["enterprise"] = scoping.get_enterprise_for_user(user, source["enterprise"])
    elif source.get("selection"):
        selection = _selection(source["selection"])
        if not selection:
            raise Http404
        subject["selection"] = selection
        subject["selection_label"] = source.get("label", "").strip()[:200]
        enterprise_id = QueryDict(selection).get("enterprise", "")
        if enterprise_id := positive_int(enterprise_id):
            enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
            if enterprise is not None:
                subject["enterprise"] = enterprise
    return subject


@login_required
@require_http_methods(["GET", "POST"])
def instruction_create(request):
    scoping.require_write_instruction(request.user)
    subject = _subject(request, request.POST if request.method == "POST" else request.GET)
    if not subject:
        messages.error(request, _("请从时间节点、企业台账、条款或统计图表上作批示。"))
        return redirect("progress:instruction_list")
    form = InstructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instruction = services.instruction_create(author=request.user, text=form.cleaned_data["text"], **subject)
        except services.FollowupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("批示已送国资委交办,落实情况可在“我的批示落实情况”中查看。"))
            return redirect("progress:instruction_detail", instruction_id=instruction.pk)
    preview = Instruction(**subject)
    return render(
        request,
        "progress/instruction_form.html",
        {"form": form, "subject": subject, "subject_label": services.subject_label(preview), "preview": preview},
        status=400 if request.method == "POST" else 200,
    )


def _instruction_for(request, instruction_id: int) -> Instruction:
    scoping.require_sees_everything(request.user)
    return scoping.get_instruction_for_user(
        request.user, instruction_id, selectors.with_follow_up(Instruction.objects.all())
    )


def _detail(request, instruction: Instruction, *, assign_form=None, update_form=None, close_form=None, status=200):
    on = today()
    instruction = selectors.decorate([instruction], on=on)[0]
    return render(
        request,
        "progress/instruction_detail.html",
        {
            "instruction": instruction,
            "is_sasac": scoping.is_sasac(request.user),
            "assign_form": assign_form
            or AssignForm(
                initial={
                    "handler": instruction.handler_id or request.user.pk,
                    "due_date": instruction.due_date or on + datetime.timedelta(days=7),
                }
            ),
            "update_form": update_form or TextForm(label=_("落实情况")),
            "close_form": close_form or TextForm(label=_("办结情况")),
            "history": selectors.history_of(instruction.history.all(), _("批示")),
        },
        status=status,
    )


@login_required
@require_GET
def instruction_detail(request, instruction_id: int):
    return _detail(request, _instruction_for(request, instruction_id))


def _step(request, instruction_id: int, *, form_class, form_name: str, act, done: str, **form_kwargs):
    """A SASAC step on an instruction: validate, act, redirect; a refusal shows the page with the input kept."""
    instruction = _instruction_for(request, instruction_id)
    scoping.require_sasac(request.user)
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        messages.error(request, _("未保存,请按提示修改。"))
        return _detail(request, instruction, **{form_name: form}, status=400)
    try:
        act(instruction, form.cleaned_data)
    except services.FollowupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
        return redirect("progress:instruction_detail", instruction_id=instruction.pk)
    return _detail(request, instruction, **{form_name: form}, status=400)


@login_required
@require_POST
def instruction_assign(request, instruction_id: int):
    return _step(
        request,
        instruction_id,
        form_class=AssignForm,
        form_name="assign_form",
        act=lambda instruction, data: services.instruction_assign(
            instruction=instruction,
            by=request.user,
            handler=data["handler"],
            due_date=data["due_date"],
            note=data["note"],
        ),
        done=_("已交办。"),
    )


@login_required
@require_POST
def instruction_update(request, instruction_id: int):
    return _step(
        request,
        instruction_id,
        form_class=TextForm,
        form_name="update_form",
        act=lambda instruction, data: services.instruction_add_update(
            instruction=instruction, by=request.user, text=data["text"]
        ),
        done=_("落实情况已记录,批示领导将收到通知。"),
        label=_("落实情况"),
    )


@login_required
@require_POST
def instruction_close(request, instruction_id: int):
    return _step(
        request,
        instruction_id,
        form_class=TextForm,
        form_name="close_form",
        act=lambda instruction, data: services.instruction_close(
            instruction=instruction, by=request.user, note=data["text"]
        ),
        done=_("批示已办结,批示领导将收到通知。"),
        label=_("办结情况"),
    )
