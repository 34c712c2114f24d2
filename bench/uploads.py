"""Benchmark: the tracking page while eight large photo uploads run (issue 9, finding 5).

Eight clients post a report each through the API (POST /api/cases/), each with nine PNG photos
of 6320 x 6320 pixels (just under the pixel cap, about 116 KB each since they are flat colour,
so that the upload itself is quick and the decoding is what costs), all at once; meanwhile two
clients read one case's tracking page (/cases/track/<code>/) over and over until the uploads
have ended. The same tracking page is read the same way, by the same server, before the uploads
start: the baseline. Goal: p95 under 200 ms with the uploads running. The server is gunicorn as
`make serve` starts it (one worker per core, gthread), with the benchmark's settings; photos
are decoded at most GRIDGOV_PHOTO_DECODES at a time per worker (core.photos.decode_slots), and
an upload that waits past GRIDGOV_PHOTO_DECODE_WAIT is answered 429.

Data: the demo (`load_demo` with 20 cases) in var/bench/uploads.sqlite3, made afresh each run.
Result: var/bench/uploads.json and the "Uploads" section of docs/benchmarks.md.

Usage: .venv/bin/python bench/uploads.py [--uploads 8] [--photos 9]
"""

import argparse
import io
import json
import os
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
DATABASE = VAR / "uploads.sqlite3"
SIDE = 6320
GOAL_MS = 200


def configure() -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.server_settings",
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "uploads-media"),
        "PYTHONPATH": str(ROOT),
        "GRIDGOV_DEMO": "1",
        "GRIDGOV_DEMO_CASES": "20",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def prepare() -> str:
    """A fresh demo database; the tracking code of one of its cases."""
    import django
    from django.core.management import call_command

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    VAR.mkdir(parents=True, exist_ok=True)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_demo", verbosity=0)
    from gridgov.cases.models import Case

    return Case.objects.exclude(tracking_code="").values_list("tracking_code", flat=True).first()


def large_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (SIDE, SIDE), (200, 180, 160)).save(out, "PNG", optimize=True)
    return out.getvalue()


def multipart(fields: dict, photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for index, data in enumerate(photos):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                     f'filename="p{index}.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def report_fields() -> dict:
    from gridgov.cases.models import Case, Category

    placed = Case.objects.exclude(grid=None).first()  # a point inside the town's grids
    category = Category.objects.filter(is_active=True).first()
    return {"category": category.pk, "description": "压测：大照片上传时的进度页",
            "longitude": f"{placed.longitude:.6f}", "latitude": f"{placed.latitude:.6f}",
            "address": "示例路1号", "is_anonymous": "true"}


def read_until(port: int, path: str, stop: threading.Event, clients: int,
               minimum: int = 0) -> list[float]:
    """Seconds per GET of `path`, from `clients` threads, until `stop` is set (and at least
    `minimum` reads were made)."""
    import http.client

    from bench.httpload import HOST

    times, lock = [], threading.Lock()

    def client(n: int):
        connection = http.client.HTTPConnection(HOST, port, timeout=120,
                                                source_address=(f"127.0.2.{n + 1}", 0))
        try:
            while not stop.is_set() or len(times) < minimum:
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"tracking page answered {response.status}")
                with lock:
                    times.append(time.perf_counter() - started)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--photos", type=int, default=9)
    args = parser.parse_args()
    env = configure()
    code = prepare()
    import bench.httpload
    from bench.cases import machine
    from bench.httpload import Server, post_all
    from gridgov import gunicorn as serving  # the server's threads, as make serve runs it

    # Nine photos of 40 megapixels each take a while to decode behind the others: the uploads'
    # clients wait for their answer (a 201, or a 429 for an upload that waited its turn too long).
    bench.httpload.REQUEST_TIMEOUT = 300

    png = large_png()
    body, content_type = multipart(report_fields(), [png] * args.photos)
    track = f"/cases/track/{code}/"
    workers = int(os.cpu_count() or 2)
    load_before = os.getloadavg()[0]
    with Server(ROOT, env, VAR / "uploads-server.log", workers=workers) as server:
        done = threading.Event()
        done.set()
        read_until(server.port, track, done, 2, minimum=50)  # warm-up
        baseline = read_until(server.port, track, done, 2, minimum=300)
        uploading = threading.Event()
        outcome = {}

        def upload():
            outcome["result"] = post_all(server.port, "/api/cases/", [body] * args.uploads,
                                         {"Content-Type": content_type}, args.uploads)
            uploading.set()

        started = time.perf_counter()
        uploader = threading.Thread(target=upload)
        uploader.start()
        during = read_until(server.port, track, uploading, 2, minimum=20)
        uploader.join()
        wall = time.perf_counter() - started
        log = server.log_text()
    result = outcome["result"]
    statuses = {}
    for item in result.outcomes:
        statuses[str(item.status)] = statuses.get(str(item.status), 0) + 1
    report = {
        "machine": machine(), "load_before": round(load_before, 2),
        "workers": workers, "threads": serving.threads,
        "uploads": args.uploads, "photos_each": args.photos, "photo_bytes": len(png),
        "upload_statuses": statuses, "upload_seconds": round(wall, 1),
        "baseline_p95_ms": round(p95(baseline) * 1000, 1),
        "baseline_median_ms": round(statistics.median(baseline) * 1000, 1),
        "during_p95_ms": round(p95(during) * 1000, 1),
        "during_median_ms": round(statistics.median(during) * 1000, 1),
        "during_reads": len(during), "server_errors": len(re.findall("Traceback", log)),
    }
    report["ratio"] = round(report["during_p95_ms"] / report["baseline_p95_ms"], 1)
    report["goal_met"] = report["during_p95_ms"] < GOAL_MS
    (VAR / "uploads.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
