import datetime

from django.core.management.base import BaseCommand, CommandError

from progress.models import Delivery, ReminderRule, ReminderScan
from progress.reminders import delivery, outbox, schedule


class Command(BaseCommand):
    help = (
        "Run the reminder scan for a day synchronously: write the in-app notices and send the e-mail, "
        "webhook and robot deliveries here, with no worker running. On a Monday the weekly digest is "
        "included. Running it twice sends nothing the second time; the counts are what this run made."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to scan, YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; write nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else schedule.local_today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        kinds = [ReminderScan.Kind.DAILY] + ([ReminderScan.Kind.DIGEST] if today.weekday() == 0 else [])
        if dry_run:
            planned = schedule.plan_reminders(today=today, rule=ReminderRule.current())
            if today.weekday() == 0:
                planned += schedule.plan_digest(today=today)
            fresh = outbox.not_yet_made(planned)
            for notice in fresh:
                self.stdout.write(f"would notify user {notice.recipient_id}: [{notice.kind}] {notice.subject}")
            self.stdout.write(f"{today}: {len(fresh)} notice(s) would be made (dry run, nothing written).")
            return
        made = 0
        for kind in kinds:
            result = outbox.run_scan(today=today, kind=kind, queue=False)
            made += len(result.created)
            for notice in result.created:
                self.stdout.write(f"notify user {notice.recipient_id}: [{notice.kind}] {notice.subject}")
        sent = failed = 0
        for delivery_id in delivery.sendable_ids():
            outcome = delivery.deliver(delivery_id=delivery_id)
            row = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
            if outcome == delivery.Outcome.SENT:
                sent += 1
                target = row.notification.recipient.email if row.channel == Delivery.Channel.EMAIL else row.channel
                self.stdout.write(f"sent {row.channel} to {target}: {row.notification.subject}")
            elif outcome == delivery.Outcome.RETRY:
                failed += 1
                self.stderr.write(f"delivery {delivery_id} ({row.channel}) failed, retried later: {row.last_error}")
            elif outcome == delivery.Outcome.FAILED:
                failed += 1
                self.stderr.write(f"delivery {delivery_id} ({row.channel}) failed for good: {row.last_error}")
            elif outcome == delivery.Outcome.HELD:
                self.stdout.write("quiet hours: deliveries are held until the next run outside them")
                break
        self.stdout.write(f"{today}: {made} notice(s) made, {sent} delivery(ies) sent, {failed} failed.")
