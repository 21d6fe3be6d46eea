"""The notification centre, the reminder rules page, urging (催办) and signing (签收)."""

import datetime

import pytest

from progress.history_reasons import render_reason
from progress.models import Milestone, MilestoneStatus, Notification, NotificationKind, ReminderRule, Urge
from tests import factories


@pytest.fixture
def milestone(enterprise):
    return factories.MilestoneFactory(assignment__enterprise=enterprise, title="建成工业互联网平台")


def notice(user, **kwargs):
    defaults = {"kind": NotificationKind.DUE_SOON, "subject": "提醒", "body": "内容"}
    return Notification.objects.create(
        recipient=user, dedupe_key=f"{user.pk}:{Notification.objects.count()}", **(defaults | kwargs)
    )


def test_liaison_sees_own_notifications_and_unread_count_in_header(client, liaison, other_liaison):
    notice(liaison, subject="本人的提醒")
    notice(liaison, subject="第二条提醒")
    notice(other_liaison, subject="别人的提醒")
    client.force_login(liaison)
    page = client.get("/notifications/").content.decode()
    assert "本人的提醒" in page and "第二条提醒" in page
    assert "别人的提醒" not in page
    assert 'id="unread-count">2<' in page


def test_mark_one_read_then_all_read(client, liaison):
    first = notice(liaison)
    notice(liaison)
    client.force_login(liaison)
    assert client.get(f"/notifications/{first.pk}/read/").status_code == 405
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    response = client.post("/notifications/read-all/", follow=True)
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert "已将 1 条消息标为已读" in response.content.decode()
    assert 'id="unread-count"' not in response.content.decode()


def test_liaison_cannot_mark_another_users_notification(client, liaison, other_liaison):
    theirs = notice(other_liaison)
    client.force_login(liaison)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_login(client):
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")


def test_sasac_edits_the_reminder_rules(client, sasac):
    client.force_login(sasac)
    assert client.get("/reminders/rules/").status_code == 200
    response = client.post(
        "/reminders/rules/",
        {
            "offsets_text": "10, 5,0",
            "overdue_repeat_days": 2,
            "escalate_after_days": 5,
            "report_day": 20,
            "report_grace_days": 2,
            "report_notice_days": 4,
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
        },
    )
    assert response.status_code == 302
    rule = ReminderRule.current()
    assert rule.offsets_days == [10, 5, 0]
    assert (rule.overdue_repeat_days, rule.escalate_after_days, rule.report_day) == (2, 5, 20)
    assert rule.quiet_hours_start == datetime.time(22, 0)
    assert rule.updated_by == sasac


@pytest.mark.parametrize(
    "field, value",
    [("offsets_text", "7,三"), ("offsets_text", "-1"), ("report_day", "31"), ("quiet_hours_end", "")],
)
def test_bad_rule_input_changes_nothing(client, sasac, field, value):
    client.force_login(sasac)
    data = {
        "offsets_text": "7,3,1,0",
        "overdue_repeat_days": 3,
        "escalate_after_days": 7,
        "report_day": 25,
        "report_grace_days": 3,
        "report_notice_days": 3,
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
    } | {field: value}
    response = client.post("/reminders/rules/", data)
    assert response.status_code == 200
    assert "提醒规则未保存" in response.content.decode()
    rule = ReminderRule.current()
    assert (rule.offsets_days, rule.report_day, rule.quiet_hours_start) == ([7, 3, 1, 0], 25, None)


def test_leader_and_liaison_cannot_open_reminder_rules(client, leader, liaison):
    for user in (leader, liaison):
        client.force_login(user)
        assert client.get("/reminders/rules/").status_code == 403
        assert client.post("/reminders/rules/", {"offsets_text": "1"}).status_code == 403
    assert ReminderRule.current().offsets_days == [7, 3, 1, 0]


def test_sasac_urges_a_milestone_and_the_liaison_is_told_at_once(client, sasac, liaison, milestone):
    client.force_login(sasac)
    response = client.post(f"/milestones/{milestone.pk}/urge/", {"message": "请本周内报送"})
    assert response.status_code == 302
    assert response["Location"] == f"/milestones/{milestone.pk}/"
    urge = Urge.objects.get()
    assert (urge.milestone, urge.sent_by, urge.message) == (milestone, sasac, "请本周内报送")
    told = Notification.objects.get()
    assert (told.recipient, told.kind, told.urge) == (liaison, NotificationKind.URGE, urge)
    assert "请本周内报送" in told.body
    assert told.deliveries.filter(channel="email").exists()
    last = milestone.history.first()
    assert last.history_type == "~" and "催办" in render_reason(last.history_change_reason)
    client.post(f"/milestones/{milestone.pk}/urge/", {"message": ""})
    assert Urge.objects.count() == 2 and Notification.objects.count() == 2


@pytest.mark.parametrize("who, status", [("leader", 403), ("liaison", 403), ("other_liaison", 404)])
def test_only_sasac_may_urge(client, request, milestone, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/milestones/{milestone.pk}/urge/", {"message": "x"}).status_code == status
    assert not Urge.objects.exists()


def test_closed_milestone_cannot_be_urged(client, sasac, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status=MilestoneStatus.WITHDRAWN, withdrawn_reason="撤销")
    client.force_login(sasac)
    response = client.post(f"/milestones/{milestone.pk}/urge/", follow=True)
    assert not Urge.objects.exists()
    assert "不能催办" in response.content.decode()


def test_liaison_signs_for_an_urge(client, sasac, liaison, milestone):
    urge = Urge.objects.create(milestone=milestone, sent_by=sasac)
    client.force_login(liaison)
    assert client.post(f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/").status_code == 302
    urge.refresh_from_db()
    assert urge.acknowledged_by == liaison and urge.acknowledged_at is not None
    signed_at = urge.acknowledged_at
    response = client.post(
        f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/", {"reply": "第二次回复"}, follow=True
    )
    urge.refresh_from_db()
    assert urge.acknowledged_at == signed_at and urge.reply == ""
    assert "已签收过,本次回复未保存" in response.content.decode()
    assert "签收" in render_reason(milestone.history.first().history_change_reason)


def test_signing_with_a_reply_marks_the_urge_read_and_sasac_sees_the_reply(client, sasac, liaison, milestone):
    other_liaison = factories.liaison_user(milestone.assignment.enterprise, username="liaison-2")
    client.force_login(sasac)
    client.post(f"/milestones/{milestone.pk}/urge/", {"message": "请本周内报送"})
    urge = Urge.objects.get()
    assert Notification.objects.filter(urge=urge, read_at__isnull=True).count() == 2
    client.force_login(liaison)
    reply = "已安排专人推进,预计6月20日前完成"
    client.post(f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/", {"reply": reply})
    urge.refresh_from_db()
    assert (urge.acknowledged_by, urge.reply) == (liaison, reply)
    # the urge's notice is read, for the one who signed and for the enterprise's other liaison
    assert not Notification.objects.filter(urge=urge, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_liaison, urge=urge).get().read_at is not None
    told = Notification.objects.get(recipient=sasac, kind=NotificationKind.URGE_SIGNED)
    assert reply in told.body and told.milestone == milestone
    assert render_reason(milestone.history.first().history_change_reason) == f"签收催办:{reply}"
    client.force_login(sasac)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert f'data-urge-reply="{urge.pk}"' in page and reply in page


def test_a_reply_longer_than_allowed_is_refused_and_nothing_is_signed(client, sasac, liaison, milestone):
    urge = Urge.objects.create(milestone=milestone, sent_by=sasac)
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/", {"reply": "长" * 201}, follow=True
    )
    assert "签收回复不能超过 200 字" in response.content.decode()
    urge.refresh_from_db()
    assert urge.acknowledged_at is None


def test_a_long_urge_and_a_long_reply_are_kept_whole_in_the_history(client, sasac, liaison, milestone):
    """The longest urge note and reply the forms allow are stored whole, on PostgreSQL too."""
    client.force_login(sasac)
    message = "请尽快推进" * 100  # 500 characters
    assert client.post(f"/milestones/{milestone.pk}/urge/", {"message": message}).status_code == 302
    urge = Urge.objects.get()
    assert urge.message == message
    client.force_login(liaison)
    reply = "回" * 200
    assert client.post(f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/", {"reply": reply}).status_code == 302
    urge.refresh_from_db()
    assert urge.reply == reply
    assert render_reason(milestone.history.first().history_change_reason) == f"签收催办:{reply}"
    assert render_reason(milestone.history.all()[1].history_change_reason) == f"催办:{message}"


@pytest.mark.parametrize("who, status", [("sasac", 403), ("leader", 403), ("other_liaison", 404)])
def test_only_the_milestones_liaison_signs(client, request, milestone, who, status):
    urge = Urge.objects.create(milestone=milestone, sent_by=factories.sasac_user(username="sender"))
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/").status_code == status
    urge.refresh_from_db()
    assert urge.acknowledged_at is None


def test_urge_of_another_milestone_is_not_found(client, sasac, liaison, milestone, enterprise):
    other = factories.MilestoneFactory(assignment__enterprise=enterprise)
    urge = Urge.objects.create(milestone=other, sent_by=sasac)
    client.force_login(liaison)
    assert client.post(f"/milestones/{milestone.pk}/urges/{urge.pk}/acknowledge/").status_code == 404


def render_panel(rf, user, milestone):
    from django.template.loader import render_to_string

    from progress.reminders.selectors import urge_panel_context

    request = rf.get(f"/milestones/{milestone.pk}/")
    request.user = user
    return render_to_string(
        "progress/_urge_panel.html",
        {"milestone": milestone, "urges": urge_panel_context(user, milestone)},
        request=request,
    )


def test_urge_panel_shows_button_to_sasac_and_sign_button_to_liaison(rf, sasac, liaison, milestone):
    Urge.objects.create(milestone=milestone, sent_by=sasac, message="请加快")
    Urge.objects.create(
        milestone=milestone,
        sent_by=sasac,
        acknowledged_by=liaison,
        acknowledged_at=milestone.created_at,
        reply="本周完成",
    )
    for_sasac = render_panel(rf, sasac, milestone)
    assert 'data-testid="urge-form"' in for_sasac
    assert "未签收" in for_sasac and "已签收" in for_sasac and "请加快" in for_sasac
    assert "本周完成" in for_sasac
    assert "/acknowledge/" not in for_sasac
    for_liaison = render_panel(rf, liaison, milestone)
    assert 'data-testid="urge-form"' not in for_liaison
    assert for_liaison.count("/acknowledge/") == 1


def test_milestone_page_carries_the_urge_panel(client, sasac, liaison, milestone):
    client.force_login(sasac)
    client.post(f"/milestones/{milestone.pk}/urge/", {"message": "请本周内报送"})
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert 'data-testid="urge-form"' in page and "请本周内报送" in page and "未签收" in page
    client.force_login(liaison)
    page = client.get(f"/milestones/{milestone.pk}/").content.decode()
    assert "/acknowledge/" in page and 'data-testid="urge-form"' not in page


def test_urge_panel_context_decides_who_may_urge_and_sign(rf, sasac, liaison, other_liaison, milestone):
    from django.template.loader import render_to_string

    from progress.reminders.selectors import urge_panel_context

    Urge.objects.create(milestone=milestone, sent_by=sasac)

    def panel(user):
        request = rf.get(f"/milestones/{milestone.pk}/")
        request.user = user
        context = {"milestone": milestone, "urges": urge_panel_context(user, milestone), "user_role": user.profile.role}
        return render_to_string("progress/_urge_panel.html", context, request=request)

    assert 'data-testid="urge-form"' in panel(sasac) and "/acknowledge/" not in panel(sasac)
    assert "/acknowledge/" in panel(liaison)
    assert "/acknowledge/" not in panel(other_liaison)  # a liaison of another enterprise may not sign
    milestone.status = MilestoneStatus.WITHDRAWN
    assert 'data-testid="urge-form"' not in panel(sasac)
