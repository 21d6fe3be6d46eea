"""Supervision orders (督办单): numbered, signed for and answered by the enterprise, closed or sent back by SASAC."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from progress.instructions import services as instructions
from progress.instructions.services import FollowupError
from progress.models import (
    DocumentSequence,
    InstructionStatus,
    Notification,
    NotificationKind,
    OrderEvidence,
    OrderStatus,
    ReminderRule,
    SupervisionOrder,
)
from progress.orders import services
from progress.orders.selectors import answers_to_review
from progress.reminders.schedule import plan_reminders

pytestmark = pytest.mark.django_db


def issue(sasac, milestone, **extra):
    values = {
        "by": sasac,
        "enterprise": milestone.assignment.enterprise,
        "title": "关于加快平台建设的督办",
        "requirement": "请于月底前报送整改措施",
        "answer_due": timezone.localdate() + datetime.timedelta(days=10),
        "contact_name": "王督办",
        "contact_phone": "0532-12345678",
        "milestones": [milestone],
    } | extra
    return services.order_issue(**values)


def test_orders_are_numbered_per_year_in_sequence(sasac, milestone, liaison):
    first, second = issue(sasac, milestone), issue(sasac, milestone)
    year = timezone.localdate().year
    assert (first.serial, second.serial) == (1, 2)
    assert first.number == f"青国资督〔{year}〕1号"
    told = Notification.objects.filter(recipient=liaison, kind=NotificationKind.SUPERVISION_ORDER)
    assert told.count() == 2


def test_a_refused_order_uses_no_number_and_numbers_are_never_given_twice(sasac, milestone, other_milestone):
    issue(sasac, milestone)
    with pytest.raises(FollowupError):
        issue(sasac, milestone, milestones=[other_milestone])  # a milestone of another enterprise
    assert issue(sasac, milestone).serial == 2
    DocumentSequence.objects.filter(series="order").update(last=7)  # e.g. numbers taken on paper
    assert issue(sasac, milestone).serial == 8


def test_numbering_starts_again_each_year(sasac, milestone):
    DocumentSequence.objects.create(series="order", year=timezone.localdate().year - 1, last=41)
    assert issue(sasac, milestone).serial == 1


def test_sasac_turns_an_instruction_into_an_order_through_the_page(client, sasac, leader, milestone, liaison):
    instruction = instructions.instruction_create(author=leader, text="请加快平台建设", milestone=milestone)
    client.force_login(sasac)
    form = client.get(reverse("progress:order_create") + f"?instruction={instruction.pk}&milestone={milestone.pk}")
    assert "请加快平台建设" in form.content.decode()
    due = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(
        reverse("progress:order_create"),
        {
            "enterprise": milestone.assignment.enterprise.code,
            "instruction": instruction.pk,
            "title": "关于落实领导批示的督办",
            "requirement": "请加快平台建设",
            "milestones": [milestone.pk],
            "answer_due": due.isoformat(),
            "contact_name": "王督办",
            "contact_phone": "0532-1",
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302
    assert order.instruction == instruction
    assert list(order.milestones.all()) == [milestone]
    instruction.refresh_from_db()
    assert (instruction.status, instruction.due_date) == (InstructionStatus.ASSIGNED, due)
    assert Notification.objects.filter(recipient=liaison, kind=NotificationKind.SUPERVISION_ORDER).exists()


def test_the_whole_round_sign_answer_return_answer_close(client, sasac, leader, liaison, milestone):
    instruction = instructions.instruction_create(author=leader, text="请加快", milestone=milestone)
    order = issue(sasac, milestone, instruction=instruction)
    client.force_login(liaison)
    assert client.post(reverse("progress:order_sign", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SIGNED and order.signed_by == liaison
    evidence = SimpleUploadedFile("整改报告.txt", "已完成整改".encode(), content_type="text/plain")
    client.post(reverse("progress:order_answer", args=[order.pk]), {"text": "已完成整改", "evidence": [evidence]})
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED
    assert Notification.objects.filter(recipient=sasac, kind=NotificationKind.SUPERVISION_ORDER).exists()
    client.force_login(sasac)
    queue = client.get(reverse("progress:review_list")).content.decode()
    assert order.number in queue
    response = client.post(reverse("progress:order_return", args=[order.pk]), {"comment": ""})
    assert response.status_code == 400
    assert "退回须填写审核意见" in response.content.decode()
    client.post(reverse("progress:order_return", args=[order.pk]), {"comment": "佐证不足"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    client.force_login(liaison)
    client.post(reverse("progress:order_answer", args=[order.pk]), {"text": "补充了验收报告"})
    client.force_login(sasac)
    client.post(reverse("progress:order_close", args=[order.pk]), {"comment": "同意办结"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert [a.decision for a in order.answers.order_by("id")] == ["returned", "accepted"]
    assert Notification.objects.filter(recipient=leader, subject__contains="督办单办结").exists()
    instructions.instruction_close(instruction=instruction, by=sasac, note="企业已整改到位")
    client.force_login(leader)
    page = client.get(reverse("progress:instruction_list")).content.decode()
    assert "已办结" in page and "补充了验收报告" in page


def test_instruction_cannot_close_while_its_orders_are_open(sasac, leader, milestone):
    instruction = instructions.instruction_create(author=leader, text="请加快", milestone=milestone)
    order = issue(sasac, milestone, instruction=instruction)
    with pytest.raises(FollowupError, match=order.number):
        instructions.instruction_close(instruction=instruction, by=sasac, note="已办")


def test_an_order_cancelled_as_a_mistake_does_not_hold_its_instruction_open(sasac, leader, milestone):
    instruction = instructions.instruction_create(author=leader, text="请加快", milestone=milestone)
    services.order_cancel(order=issue(sasac, milestone, instruction=instruction), by=sasac, reason="发错企业")
    closed = instructions.instruction_close(instruction=instruction, by=sasac, note="已另行落实")
    assert closed.status == InstructionStatus.DONE


def test_liaison_of_another_enterprise_gets_404(client, sasac, milestone, other_liaison):
    order = issue(sasac, milestone)
    client.force_login(other_liaison)
    for name in ("progress:order_detail", "progress:order_print"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 404
    assert client.post(reverse("progress:order_sign", args=[order.pk])).status_code == 404
    assert client.post(reverse("progress:order_answer", args=[order.pk]), {"text": "x"}).status_code == 404
    assert order.number not in client.get(reverse("progress:order_list")).content.decode()


def test_leader_reads_but_cannot_decide_and_liaison_cannot_close(client, sasac, leader, liaison, milestone):
    order = issue(sasac, milestone)
    services.order_answer(order=order, by=liaison, text="已办")
    client.force_login(leader)
    assert client.get(reverse("progress:order_detail", args=[order.pk])).status_code == 200
    assert client.post(reverse("progress:order_close", args=[order.pk]), {"comment": ""}).status_code == 403
    assert client.post(reverse("progress:order_sign", args=[order.pk])).status_code == 403
    client.force_login(liaison)
    assert client.post(reverse("progress:order_close", args=[order.pk]), {"comment": ""}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED


def test_answering_unsigned_order_signs_it(sasac, liaison, milestone):
    order = issue(sasac, milestone)
    services.order_answer(order=order, by=liaison, text="已办")
    order.refresh_from_db()
    assert order.signed_by == liaison and order.status == OrderStatus.ANSWERED


def test_a_disguised_executable_is_refused_and_nothing_is_kept(client, sasac, liaison, milestone, media_root):
    order = issue(sasac, milestone)
    client.force_login(liaison)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("progress:order_answer", args=[order.pk]), {"text": "见附件", "evidence": [fake]})
    assert response.status_code == 400
    assert "内容与扩展名不符" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert not OrderEvidence.objects.exists()


def test_evidence_is_served_only_to_who_may_see_the_order(client, sasac, liaison, other_liaison, milestone):
    order = issue(sasac, milestone)
    file = SimpleUploadedFile("说明.txt", "整改说明".encode(), content_type="text/plain")
    services.order_answer(order=order, by=liaison, text="见附件", evidence_files=[file])
    evidence = OrderEvidence.objects.get()
    client.force_login(other_liaison)
    assert client.get(reverse("progress:order_evidence_download", args=[evidence.pk])).status_code == 404
    client.force_login(sasac)
    response = client.get(reverse("progress:order_evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "整改说明"


def test_order_prints_as_the_order_itself(client, sasac, liaison, milestone):
    order = issue(sasac, milestone)
    client.force_login(liaison)
    page = client.get(reverse("progress:order_print", args=[order.pk])).content.decode()
    for text in (
        "督　办　单",
        order.number,
        milestone.assignment.enterprise.name,
        "请于月底前报送整改措施",
        "王督办",
        "0532-12345678",
    ):
        assert text in page
    assert "<script>" not in page and "onclick" not in page


def test_order_appears_on_the_milestone_and_the_workspace(client, sasac, liaison, milestone):
    order = issue(sasac, milestone)
    client.force_login(liaison)
    assert order.number in client.get(reverse("progress:milestone_detail", args=[milestone.pk])).content.decode()
    code = milestone.assignment.enterprise.code
    assert order.number in client.get(reverse("progress:workspace", args=[code])).content.decode()


def test_past_answer_date_is_refused(client, sasac, milestone):
    client.force_login(sasac)
    response = client.post(
        reverse("progress:order_create"),
        {
            "enterprise": milestone.assignment.enterprise.code,
            "title": "督办",
            "requirement": "请整改",
            "answer_due": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "contact_name": "王",
            "contact_phone": "1",
        },
    )
    assert response.status_code == 400
    assert "反馈时限不能早于今天" in response.content.decode()
    assert not SupervisionOrder.objects.exists()


def _working_day(day):
    from progress.reminders.workdays import is_working_day

    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def test_scan_reminds_before_the_answer_date_and_escalates_when_overdue(sasac, liaison, milestone):
    notice_day = _working_day(timezone.localdate() + datetime.timedelta(days=7))
    order = issue(sasac, milestone, answer_due=notice_day + datetime.timedelta(days=3))
    rule = ReminderRule.current()
    before = [n for n in plan_reminders(today=notice_day, rule=rule) if n.step.startswith(f"o{order.pk}-")]
    assert [(n.recipient_id, n.step) for n in before] == [(liaison.pk, f"o{order.pk}-d3")]
    late_day = _working_day(order.answer_due + datetime.timedelta(days=rule.escalate_after_days + 1))
    late = [n for n in plan_reminders(today=late_day, rule=rule) if n.step.startswith(f"o{order.pk}")]
    assert {n.recipient_id for n in late if n.step.endswith("-e")} == {sasac.pk}
    services.order_answer(order=order, by=liaison, text="已办")
    assert not [n for n in plan_reminders(today=late_day, rule=rule) if n.step.startswith(f"o{order.pk}")]


def test_scan_tells_the_liaison_on_the_answer_date_once(sasac, liaison, milestone):
    from progress.reminders.outbox import run_scan

    order = issue(sasac, milestone, answer_due=_working_day(timezone.localdate() + datetime.timedelta(days=10)))
    day = order.answer_due
    first = run_scan(today=day, queue=False)
    second = run_scan(today=day, queue=False)
    mine = [n for n in first.created if n.step == f"o{order.pk}-d0"]
    assert [n.recipient_id for n in mine] == [liaison.pk]
    assert not [n for n in second.created if n.step.startswith(f"o{order.pk}")]


def test_reseeding_the_demo_removes_orders_but_never_reuses_their_numbers(sasac, leader, milestone):
    from progress.demo import purge_demo_data

    instruction = instructions.instruction_create(author=leader, text="请加快", milestone=milestone)
    order = issue(sasac, milestone, instruction=instruction)
    purge_demo_data()
    assert not SupervisionOrder.objects.exists()
    assert DocumentSequence.objects.get(series="order", year=order.year).last == 1


def test_order_list_query_count_does_not_grow_with_orders(client, sasac, enterprise, django_assert_max_num_queries):
    from tests import factories

    for _ in range(15):
        issue(sasac, factories.MilestoneFactory(assignment__enterprise=enterprise))
    client.force_login(sasac)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("progress:order_list"))
    assert response.content.decode().count("data-order=") == 15


def test_the_liaisons_notification_links_to_the_order(client, sasac, liaison, milestone):
    order = issue(sasac, milestone)
    client.force_login(liaison)
    page = client.get(reverse("progress:notification_list")).content.decode()
    assert f'href="{reverse("progress:order_detail", args=[order.pk])}"' in page


def test_sasac_cancels_an_order_issued_by_mistake_and_everyone_concerned_is_told(
    client, sasac, leader, liaison, milestone
):
    instruction = instructions.instruction_create(author=leader, text="请加快平台建设", milestone=milestone)
    order = issue(sasac, milestone, instruction=instruction)
    client.force_login(sasac)
    page = client.get(reverse("progress:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-cancel"' in page and "确认作废该督办单" in page

    response = client.post(reverse("progress:order_cancel", args=[order.pk]), {"reason": "发错企业,应发给华通集团"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.closing_note == "发错企业,应发给华通集团" and order.closed_by == sasac
    told = Notification.objects.filter(kind=NotificationKind.SUPERVISION_ORDER, dedupe_key__endswith=":cancelled")
    assert {n.recipient_id for n in told} == {liaison.pk, leader.pk}
    assert "发错企业" in told.get(recipient=liaison).body
    page = client.get(reverse("progress:order_detail", args=[order.pk])).content.decode()
    assert "已作废" in page and 'data-testid="order-cancel-reason"' in page and 'data-testid="order-cancel"' not in page
    # Nothing more is asked of the enterprise, and its number is never given again.
    late_day = _working_day(order.answer_due + datetime.timedelta(days=30))
    assert not [
        n for n in plan_reminders(today=late_day, rule=ReminderRule.current()) if n.step.startswith(f"o{order.pk}")
    ]
    assert issue(sasac, milestone).serial == order.serial + 1
    client.force_login(liaison)
    page = client.get(reverse("progress:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-answer-submit"' not in page and 'data-testid="order-sign"' not in page
    # A direct POST does not bring it back either.
    answered = client.post(reverse("progress:order_answer", args=[order.pk]), {"text": "已办"})
    assert answered.status_code == 400 and "已作废" in answered.content.decode()
    client.post(reverse("progress:order_sign", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.signed_at is None and not order.answers.exists()


def test_cancelling_needs_a_reason_and_an_open_order_and_sasac(client, sasac, leader, liaison, milestone):
    order = issue(sasac, milestone)
    client.force_login(sasac)
    response = client.post(reverse("progress:order_cancel", args=[order.pk]), {"reason": "   "})
    assert response.status_code == 400 and "作废须写明原因" in response.content.decode()
    for user in (liaison, leader):
        client.force_login(user)
        assert client.post(reverse("progress:order_cancel", args=[order.pk]), {"reason": "想撤掉"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED and order.version == 1

    services.order_answer(order=order, by=liaison, text="已办")
    services.order_close(order=order, by=sasac)
    with pytest.raises(FollowupError):
        services.order_cancel(order=order, by=sasac, reason="误发")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def test_a_cancelled_order_prints_as_cancelled(client, sasac, milestone):
    order = services.order_cancel(order=issue(sasac, milestone), by=sasac, reason="重复下发")
    client.force_login(sasac)
    sheet = client.get(reverse("progress:order_print", args=[order.pk])).content.decode()
    assert "本督办单已作废" in sheet and "重复下发" in sheet


def test_an_answer_waiting_when_its_order_is_cancelled_leaves_the_review_queue(client, sasac, liaison, milestone):
    order = issue(sasac, milestone)
    services.order_answer(order=order, by=liaison, text="已办")
    services.order_cancel(order=order, by=sasac, reason="重复下发")
    assert not answers_to_review(SupervisionOrder.objects.all()).exists()
