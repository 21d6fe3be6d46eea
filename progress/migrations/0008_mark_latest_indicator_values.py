from django.db import migrations
from django.db.models import OuterRef, Subquery


def mark_latest_values(apps, schema_editor):
    # A frozen copy of progress.services.indicators.refresh_latest_indicator_values (as of this
    # migration), on the historical models: each value takes its report's milestone, and the
    # newest value (by report period, then id) per milestone and indicator is marked latest.
    IndicatorValue = apps.get_model("progress", "IndicatorValue")
    ProgressReport = apps.get_model("progress", "ProgressReport")
    report_milestone = ProgressReport.objects.filter(pk=OuterRef("report_id")).values("milestone_id")
    IndicatorValue.objects.update(milestone_id=Subquery(report_milestone))
    rows = IndicatorValue.objects.order_by("milestone_id", "indicator_id", "-report__period", "-pk").values_list(
        "pk", "milestone_id", "indicator_id"
    )
    latest, seen = [], set()
    for pk, milestone_id, indicator_id in rows.iterator():
        if (milestone_id, indicator_id) not in seen:
            seen.add((milestone_id, indicator_id))
            latest.append(pk)
    for start in range(0, len(latest), 500):
        IndicatorValue.objects.filter(pk__in=latest[start : start + 500]).update(is_latest=True)


class Migration(migrations.Migration):
    # Separate from 0007: PostgreSQL refuses the new foreign key's index while the
    # same transaction has rows updated under it.
    dependencies = [("progress", "0007_indicator_value_latest")]

    operations = [migrations.RunPython(mark_latest_values, migrations.RunPython.noop)]
