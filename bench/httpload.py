"""A real server for the benchmark, and concurrent clients for it — on 127.0.0.1 only.

Server: gunicorn as `make serve` runs it (gridgov/gunicorn.py: one worker process per core,
one thread each on SQLite, four on PostgreSQL), with the benchmark's settings
(bench/server_settings.py: the product plus one ceiling URL), bound to a free port of
127.0.0.1, its log in a file; stopped (TERM, then KILL) when the block ends, whatever happens
inside it.

Clients: N threads, each with its own keep-alive connection from an address of its own
(127.0.1.1, 127.0.1.2, ...: residents do not share one address, and the per-address report count
is a row of its own per address), taking requests from one bounded list until it is empty; each
request has a timeout. The wall time of the whole list gives the
rate; every response's status and Location header are kept for checking.
"""

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, root: Path, env: dict, log_path: Path, workers: int):
        self.root, self.env, self.log_path = root, env, log_path
        self.workers = workers
        self.port = free_port()
        self.process = None

    def __enter__(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w", encoding="utf-8")
        command = [
            str(self.root / ".venv" / "bin" / "gunicorn"), "-c", "python:gridgov.gunicorn",
            "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers),
            "--chdir", str(self.root),
        ]
        self.process = subprocess.Popen(command, cwd=self.root, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log_path}")
            try:
                status, _headers, _body = request(self.port, "GET", "/cases/report/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __exit__(self, *exc) -> bool:
        self.stop()
        self.log.close()
        return False

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@dataclass
class Outcome:
    status: int
    location: str
    seconds: float
    body: bytes = b""


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return len(self.outcomes) / self.wall_seconds if self.wall_seconds else 0.0


def post_all(port: int, path: str, bodies: list[bytes], headers: dict,
             concurrency: int) -> LoadResult:
    """POST every body once, `concurrency` at a time; bounded by the list."""
    result = LoadResult()
    lock = threading.Lock()
    pending = iter(range(len(bodies)))

    def worker(client: int):
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT,
                                                source_address=(f"127.0.1.{client + 1}", 0))
        try:
            while True:
                with lock:
                    index = next(pending, None)
                if index is None:
                    return
                started = time.perf_counter()
                try:
                    connection.request("POST", path, body=bodies[index], headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                    outcome = Outcome(response.status, response.getheader("Location", ""),
                                      time.perf_counter() - started, body[:500])
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    outcome = Outcome(0, "", time.perf_counter() - started)
                    with lock:
                        result.errors.append(repr(error))
                with lock:
                    result.outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(client,), daemon=True)
               for client in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result
