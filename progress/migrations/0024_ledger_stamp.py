from django.db import migrations, models


def first_stamp(apps, schema_editor):
    apps.get_model("progress", "LedgerStamp").objects.create(pk=1, token="initial")


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0022_remove_reminderrule_webhook"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_stamp, migrations.RunPython.noop),
    ]
