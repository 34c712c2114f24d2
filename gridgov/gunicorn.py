"""How gunicorn serves gridgov: `gunicorn -c python:gridgov.gunicorn` (make serve, the
benchmarks, the README's production line). Command-line options override these.

One worker process per core (WEB_CONCURRENCY or GRIDGOV_WORKERS to change it), four threads
each: a request waiting for the database, or for its photos' turn to be decoded, leaves the
process to the others.

On SQLite, each worker also hands Python's interpreter lock between its threads every 0.5 ms
instead of every 5. SQLite lets one writer in at a time, and a writer gives the interpreter lock
up at every statement: with a sibling thread busy on another request, it waited up to 5 ms to
get it back, at each statement, while every other writer of the installation waited for it.
Measured on intake (docs/benchmarks.md, "Intake"): 20–30 % more reports per second, as many as
with one thread per worker, which would leave a worker to one slow upload.
"""

import os
import sys

_database = os.environ.get("DATABASE_URL", "")
ON_SQLITE = not _database or _database.startswith("sqlite")
SQLITE_SWITCH_INTERVAL = 0.0005

wsgi_app = "gridgov.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.environ.get("GRIDGOV_WORKERS")
              or os.cpu_count() or 2)
threads = 4
timeout = 60


def post_worker_init(worker):
    if ON_SQLITE:
        sys.setswitchinterval(SQLITE_SWITCH_INTERVAL)
