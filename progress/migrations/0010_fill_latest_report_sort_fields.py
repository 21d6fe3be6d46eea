from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_latest_report_facts(apps, schema_editor):
    # What the ledger services now set with ``latest_report``: its submission time and review state.
    Milestone = apps.get_model("progress", "Milestone")
    ProgressReport = apps.get_model("progress", "ProgressReport")
    latest = ProgressReport.objects.filter(pk=OuterRef("latest_report_id"))
    Milestone.objects.filter(latest_report__isnull=False).update(
        latest_report_at=Subquery(latest.values("submitted_at")[:1]),
        latest_review_state=Subquery(latest.values("review_state")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("progress", "0009_milestone_latest_report_sort_fields")]

    operations = [migrations.RunPython(copy_latest_report_facts, migrations.RunPython.noop)]
