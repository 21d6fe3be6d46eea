"""Every URL of instructions, supervision orders and circulars, for every role, proved by its effect.

Same method as test_permission_matrix: an allowed action must have done what it is for (read
back from the database); a refused one (403, 404, the login page) must have changed nothing: no
row, no state, no history entry, no notification. Pages (GET) change nothing for anybody.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from progress.circulars.figures import Period, circular_data
from progress.instructions import services as instructions
from progress.models import (
    Circular,
    Instruction,
    InstructionUpdate,
    Notification,
    OrderAnswer,
    OrderEvidence,
    SupervisionOrder,
)
from progress.orders import services as orders
from tests import factories
from tests.progress.ledger_helpers import last_month

ROLES = ["sasac", "leader", "liaison", "other_liaison", "anonymous"]


def expect(sasac, leader, liaison, other_liaison):
    return {"sasac": sasac, "leader": leader, "liaison": liaison, "other_liaison": other_liaison}


MATRIX = [
    # pages
    ("instructions", "get", "/instructions/", expect(200, 200, 403, 403)),
    ("instruction form", "get", "/instructions/new/?milestone={milestone}", expect(403, 200, 403, 403)),
    ("instruction", "get", "/instructions/{instruction}/", expect(200, 200, 403, 403)),
    ("orders", "get", "/orders/", expect(200, 200, 200, 200)),
    ("order form", "get", "/orders/new/?enterprise={code}", expect(200, 403, 403, 403)),
    ("order", "get", "/orders/{order}/", expect(200, 200, 200, 404)),
    ("order print", "get", "/orders/{order}/print/", expect(200, 200, 200, 404)),
    ("order evidence", "get", "/orders/evidence/{evidence}/", expect(200, 200, 200, 404)),
    ("circulars", "get", "/circulars/", expect(200, 200, 403, 403)),
    ("draft circular", "get", "/circulars/{circular}/", expect(200, 404, 403, 403)),
    ("period comparison", "get", "/charts/periods/", expect(200, 200, 403, 403)),
    # actions
    ("instruct", "post", "/instructions/new/", expect(403, 302, 403, 403)),
    ("assign", "post", "/instructions/{instruction}/assign/", expect(302, 403, 403, 403)),
    ("report progress", "post", "/instructions/{instruction}/updates/", expect(302, 403, 403, 403)),
    ("close instruction", "post", "/instructions/{instruction}/close/", expect(302, 403, 403, 403)),
    ("issue order", "post", "/orders/new/", expect(302, 403, 403, 403)),
    ("sign order", "post", "/orders/{order}/sign/", expect(403, 403, 302, 404)),
    ("answer order", "post", "/orders/{order}/answer/", expect(403, 403, 302, 404)),
    ("close order", "post", "/orders/{answered}/close/", expect(302, 403, 403, 404)),
    ("return order", "post", "/orders/{answered}/return/", expect(302, 403, 403, 404)),
    ("draft circular", "post", "/circulars/draft/", expect(302, 403, 403, 403)),
    ("issue circular", "post", "/circulars/{circular}/issue/", expect(302, 403, 403, 403)),
    ("discard circular", "post", "/circulars/{circular}/discard/", expect(302, 403, 403, 403)),
    ("archive circulated version", "post", "/circulars/{issued}/final/", expect(302, 403, 403, 403)),
]


@pytest.fixture
def world(enterprise, liaison, sasac, leader):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise, title="节点")
    instruction = instructions.instruction_create(author=leader, text="请加快", milestone=milestone)
    due = timezone.localdate() + datetime.timedelta(days=10)
    common = {
        "by": sasac,
        "enterprise": enterprise,
        "requirement": "请整改",
        "answer_due": due,
        "contact_name": "王督办",
        "contact_phone": "0532-1",
        "milestones": [milestone],
    }
    order = orders.order_issue(title="待签收的督办", **common)
    answered = orders.order_issue(title="已反馈的督办", **common)
    answer = orders.order_answer(
        order=answered,
        by=liaison,
        text="已整改",
        evidence_files=[SimpleUploadedFile("说明.txt", "整改说明".encode(), content_type="text/plain")],
    )
    period = Period.month(last_month())
    draft = Circular.objects.create(
        kind="month",
        period_start=period.start,
        period_end=period.end,
        data=circular_data(period),
        drafted_by=sasac,
        drafted_at=timezone.now(),
    )
    earlier = Period.month(last_month() - datetime.timedelta(days=1))
    issued = Circular.objects.create(
        kind="month",
        period_start=earlier.start,
        period_end=earlier.end,
        status="issued",
        year=timezone.localdate().year,
        serial=orders.next_serial(series="circular", year=timezone.localdate().year),
        issued_at=timezone.now(),
        issued_by=sasac,
        data=circular_data(earlier),
        drafted_by=sasac,
        drafted_at=timezone.now(),
    )
    return {
        "code": enterprise.code,
        "milestone": milestone.pk,
        "instruction": instruction.pk,
        "order": order.pk,
        "answered": answered.pk,
        "evidence": answer.evidence.get().pk,
        "circular": draft.pk,
        "issued": issued.pk,
        "sasac": sasac,
    }


def body_for(name: str, world: dict) -> dict:
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    return {
        "instruct": {"milestone": world["milestone"], "text": "新的批示"},
        "assign": {"handler": world["sasac"].pk, "due_date": due},
        "report progress": {"text": "已协调"},
        "close instruction": {"text": "已办结"},
        "issue order": {
            "enterprise": world["code"],
            "title": "新督办单",
            "requirement": "请报送",
            "answer_due": due,
            "contact_name": "王",
            "contact_phone": "1",
        },
        "answer order": {"text": "已签收并办理"},
        "close order": {"comment": "同意"},
        "return order": {"comment": "材料不足"},
        "draft circular": {"kind": "month", "month": timezone.localdate().strftime("%Y-%m")},
        "archive circulated version": {"file": SimpleUploadedFile("定稿.docx", _docx())},
    }.get(name, {})


def _docx() -> bytes:
    import io

    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def prepare(name: str, world: dict) -> None:
    """Put the row in the state the action expects, so an allowed call really acts."""
    if name in ("report progress", "close instruction"):
        instructions.instruction_assign(
            instruction=Instruction.objects.get(pk=world["instruction"]),
            by=world["sasac"],
            handler=world["sasac"],
            due_date=timezone.localdate() + datetime.timedelta(days=5),
        )


def order(world, key="order") -> SupervisionOrder:
    return SupervisionOrder.objects.get(pk=world[key])


def instruction(world) -> Instruction:
    return Instruction.objects.get(pk=world["instruction"])


EFFECTS = {
    "instruct": lambda w: Instruction.objects.filter(text="新的批示", milestone_id=w["milestone"]).exists(),
    "assign": lambda w: instruction(w).status == "assigned",
    "report progress": lambda w: InstructionUpdate.objects.filter(text="已协调").exists(),
    "close instruction": lambda w: instruction(w).status == "done",
    "issue order": lambda w: SupervisionOrder.objects.filter(title="新督办单").exists(),
    "sign order": lambda w: order(w).status == "signed",
    "answer order": lambda w: order(w).status == "answered",
    "close order": lambda w: order(w, "answered").status == "closed",
    "return order": lambda w: order(w, "answered").status == "returned",
    "draft circular": lambda w: Circular.objects.filter(period_start=timezone.localdate().replace(day=1)).exists(),
    "issue circular": lambda w: Circular.objects.get(pk=w["circular"]).status == "issued",
    "discard circular": lambda w: not Circular.objects.filter(pk=w["circular"]).exists(),
    "archive circulated version": lambda w: bool(Circular.objects.get(pk=w["issued"]).final_docx),
}


def state() -> dict:
    """Everything an action of this matrix could change."""
    return {
        "instructions": list(Instruction.objects.values_list("pk", "status", "version").order_by("pk")),
        "updates": InstructionUpdate.objects.count(),
        "orders": list(SupervisionOrder.objects.values_list("pk", "status", "version").order_by("pk")),
        "answers": list(OrderAnswer.objects.values_list("pk", "decision").order_by("pk")),
        "evidence": OrderEvidence.objects.count(),
        "history": [model.history.count() for model in (Instruction, SupervisionOrder)],
        "circulars": list(Circular.objects.values_list("pk", "status", "serial", "final_docx").order_by("pk")),
        "notifications": Notification.objects.count(),
    }


def test_every_action_of_the_matrix_has_its_effect_defined():
    assert {row[0] for row in MATRIX if row[1] == "post"} == set(EFFECTS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_followup_permission_matrix(client, request, world, media_root, role, name, method, url, expected):
    prepare(name, world)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    path = url.format(**world)
    before = state()
    response = getattr(client, method)(path, body_for(name, world)) if method == "post" else client.get(path)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected[role], (role, method, path)
    allowed = role != "anonymous" and expected[role] < 400
    if method == "post" and allowed:
        assert not response["Location"].startswith("/accounts/login/")
        assert EFFECTS[name](world), f"{role} was let through {name} but nothing happened"
        assert state() != before
    else:
        assert state() == before, f"{role} changed something with {method.upper()} {path}"


POST_ONLY = [row for row in MATRIX if row[1] == "post" and row[0] not in {"instruct", "issue order"}]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), POST_ONLY, ids=[r[0] for r in POST_ONLY])
def test_followup_action_urls_refuse_get(client, request, world, role, name, method, url, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = state()
    assert client.get(url.format(**world)).status_code in (302, 405)
    assert state() == before
