"""Shared plumbing of the end-to-end benchmarks (bench/manifest.py, bench/api.py).

Child processes in their own process groups (stopped TERM, then KILL), set-up
commands, peak memory from /proc, throwaway databases on a PostgreSQL server,
and small HTTP helpers. Standard library and psycopg only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER = "redis://127.0.0.1:6379/15"

STOP_TIMEOUT = 15.0


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Processes:
    """Children in their own process groups: TERM, then TERM the group, then KILL."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(
        self, name: str, cmd: list[str], env: dict, log_path: Path
    ) -> subprocess.Popen:
        handle = log_path.open("ab")
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        handle.close()
        self.started.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)
        for signum in (signal.SIGTERM, signal.SIGKILL):
            if not _group_alive(proc.pid):
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signum)
            deadline = time.monotonic() + (3 if signum == signal.SIGTERM else 5)
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(1)
        self.started = [(n, p) for n, p in self.started if p is not proc]

    def stop_all(self) -> None:
        for _, proc in reversed(list(self.started)):
            self.stop(proc)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def run_step(cmd: list[str], env: dict, what: str) -> str:
    """Run a set-up command to completion; its stdout, or exit with its output."""
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        log(f"{what} failed (exit {done.returncode}):")
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-6000:])
        raise SystemExit(2)
    return done.stdout


def children_of(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_rss(pid: int) -> int | None:
    """VmHWM (peak resident set size) of a process, in bytes."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class PeakMemory:
    """Peak RSS per process of a tree, sampled while it runs (pids can go away)."""

    def __init__(self) -> None:
        self.peaks: dict[str, dict[int, int]] = {}

    def sample(self, name: str, leader: int) -> None:
        peaks = self.peaks.setdefault(name, {})
        for pid in [leader, *children_of(leader)]:
            value = peak_rss(pid)
            if value is not None:
                peaks[pid] = max(peaks.get(pid, 0), value)

    def leader(self, name: str, pid: int) -> int:
        return self.peaks.get(name, {}).get(pid, 0)

    def children(self, name: str, pid: int) -> tuple[int, int]:
        """(count, max peak) of the processes of `name` other than its leader."""
        others = [v for p, v in self.peaks.get(name, {}).items() if p != pid]
        return len(others), max(others, default=0)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_available() -> bool:
    probe = subprocess.run([PYTHON, "-c", "import gunicorn"], capture_output=True)
    return probe.returncode == 0


def database_url(admin_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_execute(admin_url: str, statement: sql.Composable) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def drop_database(admin_url: str, name: str) -> None:
    try:
        admin_execute(
            admin_url,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            ),
        )
    except psycopg.Error as exc:
        log(f"could not drop database {name}: {exc}")


def http_json(url: str, key: str, body=None, headers=None, timeout: float = 600):
    request = urllib.request.Request(
        url, data=body, headers={"Authorization": f"Token {key}", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode(errors="replace")
        try:
            return exc.code, json.loads(text)
        except ValueError:
            return exc.code, text[:2000]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the web server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer {url} in {timeout:.0f} s")


def migrate_seed_and_issue_key(env: dict, organisation: str) -> str:
    """`migrate`, `seed_demo`, then one API key of `organisation` (returned), in
    the database of env's DATABASE_URL."""
    started = time.perf_counter()
    run_step([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate")
    run_step([PYTHON, "manage.py", "seed_demo"], env, "seed_demo")
    key = run_step([PYTHON, "manage.py", "issue_api_key", organisation],
                   env, "issue_api_key").strip().splitlines()[-1]  # fmt: skip
    log(f"migrated and seeded in {time.perf_counter() - started:.0f} s")
    return key


def start_portal(
    env: dict, work: Path, procs: Processes, *, tag: str, web: str = "auto",
    workers: int = 1,
) -> tuple[str, subprocess.Popen, subprocess.Popen]:
    """A web server on a free loopback port and one Celery worker on a queue of
    its own, for env's database: (base URL, web process, worker process).

    The worker answers a ping before this returns, so work queued at once runs.
    """
    from manifest import wait_worker  # the scripts' folder is on sys.path

    env = dict(env)
    queue = f"bench-{tag}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    env["CELERY_QUEUE"] = queue
    port = free_port()
    if web == "gunicorn" or (web == "auto" and gunicorn_available()):
        web_cmd = [PYTHON, "-m", "gunicorn", "portal.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--timeout", "600", "--log-level", "warning"]  # fmt: skip
    else:
        web_cmd = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}",
                   "--noreload", "--skip-checks"]  # fmt: skip
    node = f"{queue}@bench"
    worker_cmd = [PYTHON, "-m", "celery", "-A", "portal", "worker",
                  "--concurrency", str(workers), "--pool", "prefork", "-Q", queue,
                  "--hostname", node, "--without-gossip", "--without-mingle",
                  "--without-heartbeat", "--loglevel", "warning"]  # fmt: skip
    web_proc = procs.start("web", web_cmd, env, work / f"web-{tag}.log")
    worker_proc = procs.start("worker", worker_cmd, env, work / f"worker-{tag}.log")
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/api/v1/manifests/0/", web_proc)
    wait_worker(env, node, worker_proc)
    return base, web_proc, worker_proc


def upload_manifest(base: str, key: str, path: Path, timeout: float = 1800) -> dict:
    """POST a manifest CSV to the API and poll it until `done` or `failed`."""
    from manifest import MultipartBody

    body = MultipartBody(path, "file", path.name, "text/csv")
    headers = {
        "Content-Type": f"multipart/form-data; boundary={body.boundary}",
        "Content-Length": str(body.length),
        "Accept": "application/json",
    }
    status, data = http_json(f"{base}/api/v1/manifests/", key, body, headers)
    body.close()
    if status not in (200, 202) or not isinstance(data, dict) or "id" not in data:
        raise RuntimeError(f"upload answered {status}: {str(data)[:2000]}")
    url = f"{base}/api/v1/manifests/{data['id']}/"
    deadline = time.monotonic() + timeout
    while data.get("status") not in ("done", "failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"manifest not done after {timeout:.0f} s: {data}")
        time.sleep(0.5)
        status, data = http_json(url, key, timeout=60)
        if status != 200 or not isinstance(data, dict):
            raise RuntimeError(f"GET {url} answered {status}: {str(data)[:2000]}")
    return data


def api_pages(url: str, key: str):
    """Every result of a paginated API list, following `next`."""
    while url:
        status, data = http_json(url, key, timeout=120)
        if status != 200 or not isinstance(data, dict):
            raise RuntimeError(f"GET {url} answered {status}: {str(data)[:500]}")
        yield from data.get("results", [])
        url = data.get("next")


def bench_env(settings: str, **extra: str) -> dict:
    """The environment of the portal's processes in a benchmark: the caller's,
    without its CELERY_ settings, DEBUG off, a broker of its own default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": settings, "DEBUG": "false",
        "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER,
        **extra,
    })  # fmt: skip
    return env


def dump_logs(work: Path) -> None:
    """The end of every process log in `work`, after a failure."""
    for log_file in sorted(work.glob("*.log")):
        text = log_file.read_text(errors="replace")
        if text.strip():
            log(f"--- last lines of {log_file.name} ---")
            sys.stderr.write(text[-4000:] + "\n")
