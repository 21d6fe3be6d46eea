"""`check --deploy` with the README's production environment reports nothing."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
BLOCK = re.compile(r"<!-- production-environment -->\s*```bash\n(.*?)```\s*<!-- /production-environment -->", re.DOTALL)


def readme_environments() -> list[dict[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        dict(line.split("=", 1) for line in block.splitlines() if line.strip() and not line.startswith("#"))
        for block in BLOCK.findall(text)
    ]


def test_both_languages_document_the_same_production_environment():
    chinese, english = readme_environments()
    assert chinese == english
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert name in chinese


def deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """check --deploy in a process that sees the documented environment and nothing of this test run's."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **environment}
    env["DJANGO_SETTINGS_MODULE"] = "qdsasac.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_readmes_production_environment_reports_nothing():
    environment = readme_environments()[0]
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)  # the README says: replace with a random one
    result = deploy_check(environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_the_https_settings_check_deploy_warns():
    environment = readme_environments()[0]
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        environment.pop(name)
    result = deploy_check(environment)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout
