import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from progress import demo

ROLE_EN = {"sasac": "SASAC staff", "leader": "Leader", "admin": "IT admin (Django admin)"}


class Command(BaseCommand):
    help = (
        "Load deterministic demo data: SOEs by sector, assignments following the notice's targeting, "
        "milestones, monthly ledger reports with cumulative indicator values, implementation plans and the "
        "users sasac, leader, admin and "
        "liaison-<enterprise code>. Loads the notice first (load_notice). REPLACES the previous demo data: "
        "all progress rows, all assignments, demo enterprises and demo users are deleted first, in the same "
        "transaction. Refuses a database holding anything but demo data (non-demo enterprises or users) "
        "unless --confirm-database names that database exactly. "
        "Password: env DEMO_PASSWORD, else 'qdsasac-demo-2020'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--confirm-database",
            metavar="NAME",
            default="",
            help="The exact name of the database: needed when it holds anything but demo data, which is deleted.",
        )

    def handle(self, *args, size: str, seed: int, confirm_database: str, **options):
        self._refuse_real_data(confirm_database)
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        call_command("load_notice", stdout=self.stdout)
        self.stdout.write(
            "删除原有演示数据(全部任务分解与进展数据、演示企业、演示用户)后重新生成…\n"
            "Replacing the previous demo data (all assignments and progress rows, demo enterprises, demo users)…"
        )
        started = time.monotonic()
        with transaction.atomic():
            result = demo.replace_demo_data(size=size, seed=seed, password=password)
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{name} {count:,}" for name, count in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已生成 / Demo data loaded ({size}, seed {seed}, {elapsed:.1f}s): {counts}")
        )
        self.stdout.write(self._logins_table(result, password))

    def _refuse_real_data(self, confirm_database: str) -> None:
        """An operator's slip must not wipe a real ledger: real data stays unless the database is named."""
        beyond = demo.data_beyond_the_demo()
        name = str(connection.settings_dict["NAME"])
        if beyond and confirm_database != name:
            found = ", ".join(f"{count} {what}" for what, count in beyond.items())
            raise CommandError(
                f"数据库“{name}”中有非演示数据({found})。seed_demo 会删除全部任务分解和进展数据,已停止,未做任何更改。\n"
                f"Database {name!r} holds data that is not the demo's ({found}). seed_demo deletes every "
                "assignment and all progress data, so it stopped and changed nothing.\n"
                f"To replace it anyway, name the database: manage.py seed_demo --confirm-database {name}"
            )

    def _logins_table(self, result: demo.SeedResult, password: str) -> str:
        rows = [("用户名 Username", "角色 Role", "企业 Enterprise")]
        for username, role_label, enterprise in result.logins:
            english = ROLE_EN.get(username, "Liaison")
            rows.append((username, f"{role_label} {english}", enterprise))
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        lines = [
            "",
            f"演示账号 / Demo logins — 密码 / password: {password}",
            "(均为演示账号,请勿用于生产环境 / demo accounts, not for production)",
        ]
        for index, row in enumerate(rows):
            lines.append("  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
