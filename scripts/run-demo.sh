#!/usr/bin/env bash
# One command for a fresh machine: set up, load the notice and the demo data, and run the
# product on its embedded default (SQLite and a file-system Celery broker under var/):
# the web server on http://127.0.0.1:8000, a Celery worker and Celery beat. Ctrl-C stops all three.
# Needs no server; DATABASE_URL / REDIS_URL are used when set.
# Environment: PORT (default 8000), HOST (default 127.0.0.1), DEMO_PASSWORD (demo users' password).
# The demo runs as production does: DEBUG off, static files collected and served by whitenoise,
# so a refused or missing page is the product's own translated 403/404/500 page.
set -euo pipefail

. "$(dirname "$0")/setup.sh"
PY="$VENV/python"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
VAR="${QDSASAC_VAR_DIR:-$ROOT/var}"
mkdir -p "$VAR"

# A secret key of this machine's own, made once (production refuses the public development key).
if [ ! -s "$VAR/demo-secret-key" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$VAR/demo-secret-key")
fi
export SECRET_KEY="$(cat "$VAR/demo-secret-key")"
export DEBUG=false
# Plain http on this machine: cookies without the secure flag, links to this address, and the
# two checks meant for a real deployment (a localhost SITE_URL, no SMTP server) silenced.
export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
export SILENCED_SYSTEM_CHECKS="qdsasac.E001,qdsasac.W001"

echo "==> Migrating the database"
"$PY" manage.py migrate --noinput
echo "==> Loading the notice of 2020-06-09"
"$PY" manage.py load_notice

if "$PY" manage.py shell --no-imports -c 'import sys
from directives.models import Assignment
sys.exit(0 if Assignment.objects.exists() else 1)'; then
    echo "==> Demo data already loaded (\"manage.py seed_demo --size small\" replaces it). Demo logins:"
    "$PY" manage.py shell --no-imports -c 'import os
from django.contrib.auth.models import User
password = os.environ.get("DEMO_PASSWORD") or "qdsasac-demo-2020"
print(f"    password / 密码: {password}")
users = User.objects.filter(username__in=["sasac", "leader", "admin"]) | User.objects.filter(
    username__startswith="liaison-"
)
for user in users.select_related("profile__enterprise").order_by("username"):
    profile = getattr(user, "profile", None)
    role = profile.get_role_display() if profile else "Django admin"
    enterprise = profile.enterprise.short_name if profile and profile.enterprise else ""
    print(f"    {user.username:<24} {role} {enterprise}")'
else
    echo "==> Loading demo data (seed_demo --size small)"
    "$PY" manage.py seed_demo --size small
fi

echo "==> Collecting static files (served by whitenoise, as in production)"
"$PY" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "==> Stopping web server, worker and beat"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

"$PY" manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)
"$VENV/celery" -A qdsasac worker --loglevel INFO --concurrency 2 &
pids+=($!)
"$VENV/celery" -A qdsasac beat --loglevel INFO &
pids+=($!)

echo "==> Open http://$HOST:$PORT/ and sign in with a demo login above. Ctrl-C stops everything."
# Stop everything as soon as any one of the three stops, so a crash is not hidden.
wait -n "${pids[@]}" || true
