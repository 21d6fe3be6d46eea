import re

from django.db import migrations

# Snapshots stored before this migration hold labels in the closer's language ("进行中(40%)",
# "牵头"); rows now hold codes and figures, rendered in the reader's language at export. The
# labels of the time, in both languages, frozen here.
STATUSES = {
    "进行中": "open",
    "In progress": "open",
    "申请销号": "closure_requested",
    "Request closure": "closure_requested",
    "已销号": "closed",
    "Closed": "closed",
    "已撤销": "withdrawn",
    "Withdrawn": "withdrawn",
}
ROLES = {"牵头": "lead", "Lead": "lead", "参与": "participating", "Participating": "participating"}
LABELLED = re.compile(r"^(?P<label>.*?)\s*[((](?P<progress>\d+)%[))]$")


def as_facts(row: dict) -> dict:
    if "progress" in row:
        return row
    status = row["status"]
    match = LABELLED.match(status)
    label, progress = (match["label"], int(match["progress"])) if match else (status, None)
    code = STATUSES.get(label.strip(), "open")
    if progress is None:
        progress = 100 if code == "closed" else 0
    return {
        **row,
        "role": ROLES.get(row["role"], row["role"]),
        "status": code,
        "progress": progress,
        "pending_progress": None,
        "original_due_date": row["due_date"],
        "extension_count": 0,
    }


def convert(apps, schema_editor):
    LedgerSnapshot = apps.get_model("progress", "LedgerSnapshot")
    for snapshot in LedgerSnapshot.objects.all().iterator():
        rows = [as_facts(row) for row in snapshot.rows]
        if rows != snapshot.rows:
            LedgerSnapshot.objects.filter(pk=snapshot.pk).update(rows=rows)


class Migration(migrations.Migration):
    dependencies = [("progress", "0017_original_due_date_required")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
