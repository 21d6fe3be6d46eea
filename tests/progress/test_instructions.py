"""A leader's instruction (批示) becomes a tracked action that SASAC assigns, reports on and closes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.health import GREEN, RED, YELLOW
from progress.instructions import services
from progress.instructions.selectors import instruction_health
from progress.models import Instruction, InstructionStatus, Notification, NotificationKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_leader_instructs_on_a_milestone_and_sasac_is_told(client, leader, sasac, milestone):
    client.force_login(leader)
    page = client.get(reverse("progress:instruction_create") + f"?milestone={milestone.pk}")
    assert page.status_code == 200
    assert milestone.title in page.content.decode()
    response = client.post(
        reverse("progress:instruction_create"), {"milestone": milestone.pk, "text": "请加快进度,月底前报送整改措施"}
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    assert instruction.author == leader
    assert instruction.milestone == milestone
    assert instruction.enterprise == milestone.assignment.enterprise
    assert instruction.status == InstructionStatus.NEW
    told = Notification.objects.get(recipient=sasac)
    assert told.kind == NotificationKind.INSTRUCTION
    assert "请加快进度" in told.body


def test_leader_instructs_from_a_chart_selection_keeping_only_board_filters(client, leader, enterprise):
    client.force_login(leader)
    client.post(
        reverse("progress:instruction_create"),
        {
            "selection": f"enterprise={enterprise.pk}&health=red&evil=<script>",
            "label": "各企业完成进度 · 青啤示范",
            "text": "请青啤加快进度",
        },
    )
    instruction = Instruction.objects.get()
    assert instruction.selection == f"enterprise={enterprise.pk}&health=red"
    assert instruction.selection_label == "各企业完成进度 · 青啤示范"
    assert instruction.enterprise == enterprise


def test_only_leaders_write_instructions(client, sasac, liaison, milestone):
    for user in (sasac, liaison):
        client.force_login(user)
        response = client.post(reverse("progress:instruction_create"), {"milestone": milestone.pk, "text": "x"})
        assert response.status_code == 403
    assert not Instruction.objects.exists()


def test_liaison_cannot_see_instructions(client, liaison, leader, milestone):
    instruction = services.instruction_create(author=leader, text="请加快", milestone=milestone)
    client.force_login(liaison)
    assert client.get(reverse("progress:instruction_list")).status_code == 403
    assert client.get(reverse("progress:instruction_detail", args=[instruction.pk])).status_code == 403


def test_empty_instruction_is_refused_with_a_message_and_nothing_saved(client, leader, milestone):
    client.force_login(leader)
    response = client.post(reverse("progress:instruction_create"), {"milestone": milestone.pk, "text": "   "})
    assert response.status_code == 400
    assert "请填写批示内容" in response.content.decode()
    assert not Instruction.objects.exists()


def test_sasac_assigns_to_itself_reports_and_closes_and_the_leader_sees_it_done(client, leader, sasac, milestone):
    instruction = services.instruction_create(author=leader, text="请研究支持措施", milestone=milestone)
    client.force_login(sasac)
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("progress:instruction_assign", args=[instruction.pk]),
        {"handler": sasac.pk, "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    instruction.refresh_from_db()
    assert (instruction.status, instruction.due_date, instruction.handler) == (InstructionStatus.ASSIGNED, due, sasac)
    client.post(reverse("progress:instruction_update", args=[instruction.pk]), {"text": "已召开协调会"})
    client.post(reverse("progress:instruction_close", args=[instruction.pk]), {"text": "措施已落实"})
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.DONE
    assert instruction.closing_note == "措施已落实"
    subjects = list(Notification.objects.filter(recipient=leader).values_list("subject", flat=True))
    assert any("批示已办结" in s for s in subjects)
    assert any("落实情况" in s for s in subjects)
    client.force_login(leader)
    page = client.get(reverse("progress:instruction_list")).content.decode()
    assert "我的批示落实情况" in page
    assert "已办结" in page
    assert "措施已落实" in page
    history = client.get(reverse("progress:instruction_detail", args=[instruction.pk])).content.decode()
    assert "办结:措施已落实" in history


def test_leader_cannot_assign_or_close(client, leader, sasac, milestone):
    instruction = services.instruction_create(author=leader, text="请研究", milestone=milestone)
    client.force_login(leader)
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert (
        client.post(
            reverse("progress:instruction_assign", args=[instruction.pk]), {"handler": sasac.pk, "due_date": due}
        ).status_code
        == 403
    )
    assert client.post(reverse("progress:instruction_close", args=[instruction.pk]), {"text": "x"}).status_code == 403
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.NEW


def test_closing_an_unassigned_instruction_is_refused_with_a_message(client, leader, sasac, milestone):
    instruction = services.instruction_create(author=leader, text="请研究", milestone=milestone)
    client.force_login(sasac)
    response = client.post(reverse("progress:instruction_close", args=[instruction.pk]), {"text": "已阅"})
    assert response.status_code == 400
    assert "尚未交办" in response.content.decode()
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.NEW


def test_assigning_a_past_due_date_is_refused(client, leader, sasac, milestone):
    instruction = services.instruction_create(author=leader, text="请研究", milestone=milestone)
    client.force_login(sasac)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("progress:instruction_assign", args=[instruction.pk]), {"handler": sasac.pk, "due_date": past}
    )
    assert response.status_code == 400
    assert "不能早于今天" in response.content.decode()


def test_instruction_health_is_tracked_like_a_milestone(leader, sasac, milestone):
    instruction = services.instruction_create(author=leader, text="请研究", milestone=milestone)
    today = timezone.localdate()
    assert instruction_health(instruction, on=today) == YELLOW  # waiting for SASAC to assign it
    services.instruction_assign(
        instruction=instruction, by=sasac, handler=sasac, due_date=today + datetime.timedelta(days=30)
    )
    instruction.refresh_from_db()
    assert instruction_health(instruction, on=today) == GREEN
    assert instruction_health(instruction, on=today + datetime.timedelta(days=25)) == YELLOW
    assert instruction_health(instruction, on=today + datetime.timedelta(days=31)) == RED


def test_leader_page_query_count_does_not_grow_with_instructions(client, leader, sasac, django_assert_max_num_queries):
    for n in range(12):
        milestone = factories.MilestoneFactory()
        instruction = services.instruction_create(author=leader, text=f"批示{n}", milestone=milestone)
        services.instruction_assign(
            instruction=instruction, by=sasac, handler=sasac, due_date=timezone.localdate() + datetime.timedelta(days=5)
        )
    client.force_login(leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("progress:instruction_list"))
    assert response.content.decode().count('data-testid="instruction"') == 12


def test_leader_instructs_on_a_directive_from_its_page(client, leader, sasac, directive):
    client.force_login(leader)
    page = client.get(reverse("progress:directive_detail", args=[directive.pk])).content.decode()
    assert f"{reverse('progress:instruction_create')}?directive={directive.pk}" in page
    client.post(reverse("progress:instruction_create"), {"directive": directive.pk, "text": "请各牵头企业加快推进"})
    instruction = Instruction.objects.get()
    assert instruction.directive == directive and instruction.enterprise is None
    client.force_login(sasac)
    assert (
        "instruct-button" not in client.get(reverse("progress:directive_detail", args=[directive.pk])).content.decode()
    )


def test_handler_is_reminded_before_and_after_the_due_date(leader, sasac, milestone):
    from progress.models import ReminderRule
    from progress.reminders.schedule import plan_reminders
    from progress.reminders.workdays import is_working_day

    day = timezone.localdate() + datetime.timedelta(days=8)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    instruction = services.instruction_create(author=leader, text="请研究", milestone=milestone)
    services.instruction_assign(instruction=instruction, by=sasac, handler=sasac, due_date=day)
    rule = ReminderRule.current()
    on_the_day = [n for n in plan_reminders(today=day, rule=rule) if n.step.startswith(f"i{instruction.pk}")]
    assert [(n.recipient_id, n.step) for n in on_the_day] == [(sasac.pk, f"i{instruction.pk}-d0")]
    after = day + datetime.timedelta(days=1)
    while not is_working_day(after):
        after += datetime.timedelta(days=1)
    late = [n for n in plan_reminders(today=after, rule=rule) if n.step.startswith(f"i{instruction.pk}")]
    assert [n.recipient_id for n in late] == [sasac.pk] and "+" in late[0].step
    services.instruction_close(instruction=instruction, by=sasac, note="已办")
    assert not [n for n in plan_reminders(today=after, rule=rule) if n.step.startswith(f"i{instruction.pk}")]
