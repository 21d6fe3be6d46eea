"""Health check of a Celery worker container: healthy while the worker's heartbeat file is fresh.

The worker touches ``WORKER_HEARTBEAT_FILE`` every 10 s while its consumer is connected to the
broker and its loop turns (qdsasac/celery.py, Heartbeat). Stale for longer than --max-age
seconds (default 60) or missing: exit 1. Imports nothing of Django, so it costs nothing.

    python scripts/worker_healthcheck.py [--max-age 60]
"""

import argparse
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-age", type=float, default=60.0)
    args = parser.parse_args()
    path = os.environ.get("WORKER_HEARTBEAT_FILE", "")
    if not path:
        print("WORKER_HEARTBEAT_FILE is not set", file=sys.stderr)
        return 1
    try:
        age = time.time() - os.stat(path).st_mtime
    except OSError as error:
        print(f"no heartbeat: {error}", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(f"heartbeat is {age:.0f} s old (more than {args.max_age:.0f} s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
