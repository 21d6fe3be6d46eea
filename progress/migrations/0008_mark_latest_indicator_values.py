from django.db import migrations


def mark_latest_values(apps, schema_editor):
    # One pass over every value (progress.services.indicators); reads only fields that exist here.
    from progress.services.indicators import refresh_latest_indicator_values

    refresh_latest_indicator_values()


class Migration(migrations.Migration):
    # Separate from 0007: PostgreSQL refuses the new foreign key's index while the
    # same transaction has rows updated under it.
    dependencies = [("progress", "0007_indicator_value_latest")]

    operations = [migrations.RunPython(mark_latest_values, migrations.RunPython.noop)]
