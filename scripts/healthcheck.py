"""Container health check: GET /healthz on the local gunicorn; exit 0 only on 200.

Django answers only the host names in ALLOWED_HOSTS, so the request names the first of them.
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
if host in ("", "*"):
    host = "localhost"
url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
request = urllib.request.Request(url, headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
