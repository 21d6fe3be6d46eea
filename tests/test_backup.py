"""The README's backup and restore: pg_dump the database, restore it into a fresh one, find the same ledger.

The commands are the README's own (its backup block), pointed at this machine's PostgreSQL
instead of the compose service. The fresh database has a name of its own and is dropped afterwards.
"""

import datetime
import re
import shlex
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import last_month, pdf

ROOT = Path(settings.BASE_DIR)
BLOCK = re.compile(r"<!-- backup -->\s*```bash\n(.*?)```\s*<!-- /backup -->", re.DOTALL)
# The ledger, whole: every table a restore must bring back as it was.
LEDGER_TABLES = [
    "enterprises_enterprise",
    "directives_directive",
    "directives_assignment",
    "progress_implementationplan",
    "progress_milestone",
    "progress_progressreport",
    "progress_evidence",
    "progress_historicalmilestone",
    "progress_historicalprogressreport",
    "auth_user",
]

pytestmark = pytest.mark.django_db(transaction=True)


def readme_command(program: str) -> str:
    """The README's `docker compose exec -T db <program> ...` line, as the same command run here."""
    blocks = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    commands = [[line for line in block.splitlines() if not line.startswith("#")] for block in blocks]
    assert len(blocks) == 2 and commands[0] == commands[1]  # both languages document the same commands
    [line] = [line for line in blocks[0].splitlines() if f"exec -T db {program} " in line]
    command = line.split("exec -T db ", 1)[1]
    assert "-U qdsasac -d qdsasac" in command
    return command.split(" > ")[0].split(" < ")[0]


def run(command: str, database: str, redirect: str) -> None:
    db = connection.settings_dict
    local = command.replace(
        "-U qdsasac -d qdsasac",
        f"-h {db['HOST'] or '127.0.0.1'} -p {db['PORT'] or 5432} -U {db['USER']} -d {database}",
    )
    subprocess.run(f"{local} {redirect}", shell=True, check=True, timeout=300, capture_output=True)


def ledger(database: str) -> dict[str, list[tuple]]:
    db = connection.settings_dict
    with psycopg2.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
        dbname=database,
    ) as conn, conn.cursor() as cursor:  # fmt: skip
        tables = {}
        for table in LEDGER_TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            tables[table] = cursor.fetchall()
    conn.close()
    return tables


@pytest.fixture
def fresh_database():
    if connection.vendor != "postgresql":
        pytest.skip("the backup is PostgreSQL's pg_dump: set DATABASE_URL")
    name = f"{connection.settings_dict['NAME']}_restore"
    db = connection.settings_dict
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)
    yield name
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)


def test_a_dump_restored_into_a_fresh_database_holds_the_same_ledger(fresh_database, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    enterprise = factories.EnterpriseFactory(code="qdbeer", short_name="青啤示范")
    liaison = factories.liaison_user(enterprise, username="liaison-qdbeer")
    sasac = factories.sasac_user(username="sasac")
    milestone = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="接入卡奥斯平台仓储物流模块",
        start_date=timezone.localdate() - datetime.timedelta(days=60),
    )
    report = services.report_file(
        milestone=milestone, by=liaison, period=last_month(), progress=45, work_done="完成对接测试",
        evidence_files=[pdf()],
    )  # fmt: skip
    services.report_return(report=report, by=sasac, comment="请补充出入库数据截图", expected_version=report.version)
    source = connection.settings_dict["NAME"]
    before = ledger(source)
    assert before["progress_progressreport"] and before["progress_evidence"]

    dump = tmp_path / "qdsasac.dump"
    run(readme_command("pg_dump"), source, f"> {shlex.quote(str(dump))}")
    assert dump.stat().st_size > 0
    run(readme_command("pg_restore"), fresh_database, f"< {shlex.quote(str(dump))}")

    assert ledger(fresh_database) == before
