#!/usr/bin/env bash
# One command for a fresh machine: set up and run every check and the whole test suite,
# browser tests included. Uses DATABASE_URL / REDIS_URL when set, else SQLite and the
# file-system broker. Extra arguments go to pytest (e.g. scripts/test.sh -k healthz).
# Exits non-zero when anything fails, and when pytest ran no test at all.
set -euo pipefail

QDSASAC_EXTRAS="test"
. "$(dirname "$0")/setup.sh"
PY="$VENV/python"

# Debian's packages, only when missing: Playwright cannot download a browser of its own here.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-noto-cjk)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# pg_dump / pg_restore drive the backup and restore test.
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
# LibreOffice opens the exported ledger headless, as WPS and Excel would (tests/libreoffice.py),
# and turns the circular's .docx into its PDF; the tests read PDFs with poppler.
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> Installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "==> docker-compose.yml is a valid compose file"
SECRET_KEY=compose-validation POSTGRES_PASSWORD=compose-validation SITE_URL=https://compose-validation.example \
    docker-compose -f docker-compose.yml config -q

echo "==> ruff check"
"$VENV/ruff" check .

echo "==> manage.py check"
"$PY" manage.py check --fail-level WARNING

echo "==> No model change without its migration"
"$PY" manage.py makemigrations --check --dry-run

echo "==> pytest"
status=0
"$VENV/pytest" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no test: that is a failure." >&2
fi
exit "$status"
