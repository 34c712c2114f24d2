"""How gunicorn serves gridgov: `gunicorn -c python:gridgov.gunicorn` (make serve, the
benchmarks, the README's production line). Command-line options override these.

One worker process per core (WEB_CONCURRENCY or GRIDGOV_WORKERS to change it). On PostgreSQL
each worker runs four threads: a request waiting for the database leaves the process to the
others. On SQLite each worker runs one. SQLite lets one writer in at a time, and a writer gives
Python's interpreter lock up at every statement: with sibling threads busy on other requests it
waited for the lock back (up to 5 ms each time) while every other writer of the installation
waited for it. Measured on intake (docs/benchmarks.md, "Intake"): one thread per worker takes
25–40 % more reports per second than four. The price: a worker decoding an upload's photos
serves nothing else meanwhile (each photo's turn is bounded, GRIDGOV_PHOTO_DECODE_WAIT); the
tracking page kept its goal while eight large uploads were decoded ("Uploads"). An
installation that expects many large uploads at once runs on PostgreSQL.
"""

import gc
import os

_database = os.environ.get("DATABASE_URL", "")
ON_SQLITE = not _database or _database.startswith("sqlite")

wsgi_app = "gridgov.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.environ.get("GRIDGOV_WORKERS")
              or os.cpu_count() or 2)
threads = 1 if ON_SQLITE else 4
timeout = 60


def post_worker_init(worker):
    """Everything the worker has loaded (Django, the apps, the grid index) is kept out of the
    garbage collector's full passes: they walked those 150,000 objects once every thousand
    requests or so, 80 ms during which the worker answered no one — on SQLite perhaps while
    holding the one write turn every other writer waits for."""
    gc.freeze()
