import datetime

from django.core.management.base import BaseCommand, CommandError

from progress.models import Delivery, ReminderRule
from progress.reminders import services as reminders


class Command(BaseCommand):
    help = (
        "Run the reminder scan for a day synchronously: write the in-app notices and send the e-mail and "
        "webhook deliveries here, with no worker running. On a Monday the weekly digest is included. "
        "Running it twice sends nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to scan, YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; write nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else reminders.local_today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        rule = ReminderRule.current()
        planned = reminders.plan_reminders(today=today, rule=rule)
        if today.weekday() == 0:
            planned += reminders.plan_digest(today=today)
        fresh = reminders.new_notices(planned)
        verb = "would notify" if dry_run else "notify"
        for notice in fresh:
            self.stdout.write(f"{verb} user {notice.recipient_id}: [{notice.kind}] {notice.subject}")
        if dry_run:
            self.stdout.write(f"{today}: {len(fresh)} notice(s) would be made (dry run, nothing written).")
            return
        reminders.commit_notices(planned, rule=rule, enqueue=False)
        sent = failed = 0
        for delivery_id in reminders.sendable_delivery_ids():
            try:
                outcome = reminders.deliver(delivery_id=delivery_id)
            except reminders.RetryLater as later:
                failed += 1
                self.stderr.write(f"delivery {delivery_id} failed, retried later: {later}")
                continue
            if outcome == reminders.Outcome.SENT:
                sent += 1
                delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
                target = delivery.notification.recipient.email if delivery.channel == "email" else "webhook"
                self.stdout.write(f"sent {delivery.channel} to {target}: {delivery.notification.subject}")
            elif outcome == reminders.Outcome.FAILED:
                failed += 1
                error = Delivery.objects.values_list("last_error", flat=True).get(pk=delivery_id)
                self.stderr.write(f"delivery {delivery_id} failed for good: {error}")
            elif outcome == reminders.Outcome.HELD:
                self.stdout.write("quiet hours: deliveries are held until the next run outside them")
                break
        self.stdout.write(f"{today}: {len(fresh)} notice(s) made, {sent} delivery(ies) sent, {failed} failed.")
