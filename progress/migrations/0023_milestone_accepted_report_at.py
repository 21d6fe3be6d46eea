from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_accepted_report_at(apps, schema_editor):
    """The submission time of each milestone's accepted report, as the ledger services now keep it."""
    Milestone = apps.get_model("progress", "Milestone")
    ProgressReport = apps.get_model("progress", "ProgressReport")
    Milestone.objects.filter(accepted_report__isnull=False).update(
        accepted_report_at=Subquery(ProgressReport.objects.filter(pk=OuterRef("accepted_report_id")).values("submitted_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0022_remove_reminderrule_webhook"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="accepted_report_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_accepted_report_at, migrations.RunPython.noop, elidable=True),
    ]
