"""Urges (催办): SASAC staff urge a milestone by hand; a liaison signs for it (签收), with a reply."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enterprises.names import person_name
from progress.history_reasons import stored_reason
from progress.ledger_cache import ledger_changed
from progress.models import Milestone, Notification, NotificationKind, ReminderRule, Urge
from progress.reminders import outbox, selectors, services
from progress.reminders.schedule import PlannedNotice, local_today, milestone_payload, recipients_of


def _milestone_row(milestone: Milestone) -> dict:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "due_date": milestone.due_date,
        "responsible_user_id": milestone.responsible_user_id,
        "assignment__enterprise_id": milestone.assignment.enterprise_id,
        "assignment__enterprise__short_name": milestone.assignment.enterprise.short_name,
    }


def urge_milestone(*, milestone: Milestone, by, message: str = "") -> Urge:
    """SASAC staff urge a milestone: the liaisons are told at once; the milestone's history records it.

    The notice is written in the product's language, whatever language the sender's page is in.
    """
    rule = ReminderRule.current()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        urge = Urge.objects.create(milestone=milestone, sent_by=by, message=message)
        Milestone.history.bulk_history_create(
            [milestone],
            update=True,
            default_user=by,
            default_change_reason=stored_reason(gettext_noop("催办:%(message)s"), message=message or "-"),
        )
        # A bulk history row sends no save signal: the milestone page's cached history must still show it.
        ledger_changed()
        row = _milestone_row(milestone)
        payload = milestone_payload(row) | {"message": message, "sent_by": person_name(by)}
        subject = _("【催办】%(title)s") % {"title": milestone.title}
        body = _("国资委对时间节点“%(title)s”(%(due)s 到期)发出催办,请登录系统签收并处理。") % {
            "title": milestone.title,
            "due": milestone.due_date.isoformat(),
        }
        if message:
            body += "\n" + _("催办说明:%(message)s") % {"message": message}
        planned = [
            PlannedNotice(
                recipient,
                NotificationKind.URGE,
                milestone.pk,
                local_today(),
                f"u{urge.pk}",
                subject,
                body,
                payload,
                urge.pk,
            )
            for recipient in recipients_of(row, selectors.liaisons_by_enterprise())
        ]
        outbox.write(planned, rule=rule)
    return urge


def acknowledge_urge(*, urge: Urge, by, reply: str = "") -> bool:
    """The liaison signs for an urge (签收), optionally with a short reply. False when someone
    signed already (nothing changes then).

    The urge's notices to the enterprise (the urge and its "unsigned" repeats) become read; the
    milestone's history records the signature and the reply; the SASAC officer who urged is told.
    """
    now = timezone.now()
    milestone = urge.milestone
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        signed = Urge.objects.filter(pk=urge.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by, reply=reply
        )
        if not signed:
            return False
        Notification.objects.filter(
            urge=urge, kind__in=[NotificationKind.URGE, NotificationKind.URGE_UNSIGNED], read_at__isnull=True
        ).update(read_at=now)
        reason = (
            stored_reason(gettext_noop("签收催办:%(reply)s"), reply=reply)
            if reply
            else stored_reason(gettext_noop("签收催办"))
        )
        Milestone.history.bulk_history_create([milestone], update=True, default_user=by, default_change_reason=reason)
        ledger_changed()
        who = person_name(by)
        values = {"who": who, "title": milestone.title, "sent": timezone.localtime(urge.sent_at).strftime("%Y-%m-%d")}
        body = _("%(who)s 已签收国资委 %(sent)s 对“%(title)s”的催办。") % values
        if reply:
            body += "\n" + _("回复:%(reply)s") % {"reply": reply}
        services.notify(
            recipient_ids=[urge.sent_by_id],
            kind=NotificationKind.URGE_SIGNED,
            key=f"u{urge.pk}:signed",
            subject=_("【催办已签收】%(title)s") % values,
            body=body,
            milestone=milestone,
            url=settings.SITE_URL + reverse("progress:milestone_detail", args=[milestone.pk]),
            payload={"reply": reply, "signed_by": who},
        )
    return True
