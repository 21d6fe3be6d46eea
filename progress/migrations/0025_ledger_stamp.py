import uuid

from django.db import migrations, models


def first_stamp(apps, schema_editor):
    # A token of this database's own: two databases sharing one Redis never read each other's figures.
    apps.get_model("progress", "LedgerStamp").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0024_long_silent_and_history_reason_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32, verbose_name="版本标记")),
            ],
            options={
                "verbose_name": "台账版本戳",
                "verbose_name_plural": "台账版本戳",
            },
        ),
        migrations.RunPython(first_stamp, migrations.RunPython.noop),
    ]
