from django.db import migrations
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# Frozen copies (as of this migration) of what the ledger services now keep, on the historical
# models, so later changes to the app code cannot break migrating an old database:
# - the original commitment is the due date as it stands;
# - a milestone's progress and risk flag are its newest ACCEPTED report's (0 / no risk before any),
#   and a closure no longer rewrites the progress to 100;
# - the forecast's pace verdict and the newest indicator values read accepted reports only.
VELOCITY_REPORTS = 3
ACCEPTED = "accepted"


def fill_accepted_figures(apps, schema_editor):
    Milestone = apps.get_model("progress", "Milestone")
    ProgressReport = apps.get_model("progress", "ProgressReport")
    IndicatorValue = apps.get_model("progress", "IndicatorValue")

    newest_accepted = ProgressReport.objects.filter(milestone=OuterRef("pk"), review_state=ACCEPTED).order_by("-period")
    Milestone.objects.update(
        original_due_date=F("due_date"),
        accepted_report=Subquery(newest_accepted.values("pk")[:1]),
        progress=Coalesce(Subquery(newest_accepted.values("progress")[:1]), Value(0)),
        accepted_report_at_risk=Coalesce(Subquery(newest_accepted.values("at_risk")[:1]), Value(False)),
    )

    recent = {}
    rows = (
        ProgressReport.objects.filter(review_state=ACCEPTED)
        .order_by("milestone_id", "-period")
        .values_list("milestone_id", "progress", "submitted_at")
    )
    for milestone_id, progress, submitted_at in rows.iterator():
        kept = recent.setdefault(milestone_id, [])
        if len(kept) <= VELOCITY_REPORTS:
            kept.append((progress, timezone.localtime(submitted_at).date()))
    risky = []
    for pk, start_date, due_date in (
        Milestone.objects.filter(pk__in=list(recent)).values_list("pk", "start_date", "due_date").iterator()
    ):
        reports = recent[pk]
        latest_progress, latest_day = reports[0]
        if len(reports) > VELOCITY_REPORTS:
            base_progress, base_day = reports[-1]
        else:
            base_progress, base_day = 0, start_date
        days_between = (latest_day - base_day).days
        gained = latest_progress - base_progress
        days_left = (due_date - latest_day).days
        if latest_progress < 100 and days_between > 0 and (100 - latest_progress) * days_between > days_left * gained:
            risky.append(pk)
    Milestone.objects.filter(forecast_at_risk=True).update(forecast_at_risk=False)
    for start in range(0, len(risky), 500):
        Milestone.objects.filter(pk__in=risky[start : start + 500]).update(forecast_at_risk=True)

    IndicatorValue.objects.filter(is_latest=True).update(is_latest=False)
    values = (
        IndicatorValue.objects.filter(report__review_state=ACCEPTED)
        .order_by("milestone_id", "indicator_id", "-report__period", "-pk")
        .values_list("pk", "milestone_id", "indicator_id")
    )
    latest, seen = [], set()
    for pk, milestone_id, indicator_id in values.iterator():
        if (milestone_id, indicator_id) not in seen:
            seen.add((milestone_id, indicator_id))
            latest.append(pk)
    for start in range(0, len(latest), 500):
        IndicatorValue.objects.filter(pk__in=latest[start : start + 500]).update(is_latest=True)


def fill_original_history(apps, schema_editor):
    HistoricalMilestone = apps.get_model("progress", "HistoricalMilestone")
    HistoricalMilestone.objects.update(original_due_date=F("due_date"))


class Migration(migrations.Migration):
    dependencies = [("progress", "0015_supervision_requests")]

    operations = [
        migrations.RunPython(fill_accepted_figures, migrations.RunPython.noop),
        migrations.RunPython(fill_original_history, migrations.RunPython.noop),
    ]
