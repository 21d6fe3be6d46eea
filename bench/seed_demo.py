"""Time ``manage.py seed_demo --size large`` against the database in DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qd_seed .venv/bin/python bench/seed_demo.py

Migrates first (not timed), then runs seed_demo (which loads the notice and replaces the demo
data) and prints the elapsed seconds and the row counts. The issue asks for under 120 s on the
2-core machine against PostgreSQL.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from directives.models import Assignment, Directive
    from enterprises.models import Enterprise, Profile
    from progress.models import ImplementationPlan, Milestone, ProgressReport

    size = sys.argv[1] if len(sys.argv) > 1 else "large"
    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", size=size, stdout=io.StringIO())
    elapsed = time.monotonic() - started
    print(f"seed_demo --size {size}: {elapsed:.1f} s")
    for model in (Directive, Enterprise, Profile, ImplementationPlan, Assignment, Milestone, ProgressReport):
        print(f"  {model._meta.label:<32} {model.objects.count():>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
