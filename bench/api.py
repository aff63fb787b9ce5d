"""Load benchmark of the broker API: gunicorn, PostgreSQL, 16 clients on loopback.

Run from the project root (PostgreSQL and Redis must be running):

    .venv/bin/python bench/api.py                         # 10,000 declarations
    .venv/bin/python bench/api.py --declarations 2000 --duration 5   # quicker
    .venv/bin/python bench/api.py --workers 2 --threads 4  # gthread instead

What one run does:

1. Creates a fresh database `bench_api_<pid>` on DATABASE_URL's server (default
   postgres://postgres@127.0.0.1:5432/postgres is the admin connection), runs
   `manage.py migrate`, `manage.py seed_demo` and `manage.py issue_api_key
   demo-broker` against it (bench/_stack.py, as bench/manifest.py does).
2. Files `--declarations` declarations for demo-broker in a child process of
   this script with the project's settings (`--internal-seed`): the project's
   own `declarations.services.declaration_create`, 500 to a transaction, then
   `declarations_validate` on each 500, so they end accepted, rejected or under
   review as filings do. The Celery broker of that process is `memory://`: the
   validation tasks it queues on commit go nowhere (the batch call does the work).
   Its cache is the web server's Redis, as a worker's is in production, so the
   answers validation renders ahead are there for the detail reads.
3. Writes a settings module and a URLconf to a temporary folder (nothing is
   added to the project): `portal.settings.base` (or `--settings`) with DEBUG
   off, ALLOWED_HOSTS for loopback and ROOT_URLCONF = the project's URLs plus
   `/bench/yardstick/`, a DRF APIView with the project's default authentication
   and permission classes that returns one row of `Organisation` by pk: the
   yardstick.
4. Starts gunicorn (`--workers` processes; sync workers, or gthread with
   `--threads` > 1) on a free port of 127.0.0.1, with a Celery broker
   (CELERY_BROKER_URL or redis://127.0.0.1:6379/15) and a queue of its own,
   which no worker consumes: a create answers 201 once its validation task is
   queued, as in production, and the queue is deleted at the end.
5. Per scenario: `--warmup` seconds of load (discarded), then `--duration`
   seconds measured, with `--connections` concurrent keep-alive clients: wrk
   with a Lua script when wrk is installed, else (or with `--loadgen python`)
   threads of http.client in this process. Scenarios, in this order:
   yardstick GET, declaration detail GET (random ids of demo-broker's),
   `?status=accepted&page_size=50`, `?page_size=50` (unfiltered, for
   comparison), and create POST (distinct LRN and house AWB per request, 50
   house AWBs per master AWB per client).
6. Prints requests/s, p50, p99, non-2xx and socket errors, CPU busy of the
   whole machine, the ratios to the yardstick and the goals with PASS/MISS.
7. `--profile` (default on): in a child process with the same settings and
   database, each GET through Django's test client with CaptureQueriesContext:
   queries and SQL time per request, and the top functions of cProfile for the
   detail and the list of 50.
8. Stops every process it started (also on Ctrl-C or an error), deletes the
   broker queue and drops the database, unless `--keep`.

Workers: 3 sync processes by default. The machine has 2 cores shared by the
web workers, PostgreSQL and the load generator; a request spends part of its
time waiting for PostgreSQL, so one process more than cores keeps both cores
busy, while 2 x cores + 1 = 5 would only add context switches and memory. gthread
(`--workers 2 --threads 4`) keeps connections alive but its threads share one
GIL per process; compare with the options.

Standard library, psycopg and (for the queue clean-up) redis-py only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    DEFAULT_BROKER,
    PYTHON,
    ROOT,
    Processes,
    admin_execute,
    children_of,
    database_url,
    drop_database,
    free_port,
    gunicorn_available,
    http_json,
    log,
    migrate_seed_and_issue_key,
    run_step,
    wait_http,
)
from manifest import (  # noqa: E402
    COUNTRY_WEIGHTS,
    FIRST,
    GOODS,
    IOSS_NUMBERS,
    LAST,
    PLACES,
    STREETS,
    make_sellers,
    mawb_number,
    weighted,
)

ORGANISATION = "demo-broker"
SEED_BATCH = 500
PARCELS_PER_MAWB = 50

# Goals of the issue: 16 concurrent clients on 2 cores.
GOAL_DETAIL_RATIO = 0.50
GOAL_LIST_RATIO = 0.25
GOAL_P99_MS = 100.0

YARDSTICK = "/bench/yardstick/"
DECLARATIONS = "/api/v1/declarations/"

# Goods, sellers and buyers as in bench/manifest.py's manifests: many distinct
# parties, so the rule book's split-consignment check fires only by chance.
SELLERS = make_sellers(random.Random(1), 500)


def declaration_body(rng: random.Random, *, lrn: str, hawb: str, mawb: str) -> dict:
    """One valid declaration as the API takes it (strings, as JSON would carry).

    About 4 % have a vague description ("gift"), so some end rejected."""
    seller = rng.choice(SELLERS)
    country = weighted(rng, COUNTRY_WEIGHTS)
    city, postcode = rng.choice(PLACES[country])
    items, net = [], 0.0
    for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
        description, hs, low, high, unit_mass = rng.choice(GOODS)
        quantity = 1 if rng.random() < 0.75 else 2
        mass = round(unit_mass * quantity * rng.uniform(0.9, 1.1), 3)
        net += mass
        items.append({
            "description": "gift" if rng.random() < 0.04 else description,
            "hs_code": hs,
            "origin_country": "CN",
            "quantity": quantity,
            "item_value": f"{rng.uniform(low, high) * quantity:.2f}",
            "net_mass_kg": f"{mass:.3f}",
            "product_id": f"SKU-{hs[:4]}-{rng.randrange(100000):05d}",
            "manufacturer_product_id": f"69{rng.randrange(10**11):011d}",
        })  # fmt: skip
    ioss = rng.random() < 0.8
    return {
        "type": "H7",
        "lrn": lrn,
        "mawb": mawb,
        "hawb": hawb,
        "flight_number": "CK251",
        "departure_airport": "CGO",
        "arrival_airport": "LGG",
        "arrival_date": date.today().isoformat(),
        "consignor_name": seller[0],
        "consignor_address": seller[1],
        "consignor_city": seller[2],
        "consignor_postcode": seller[3],
        "consignor_country": "CN",
        "consignee_name": f"{rng.choice(FIRST[country])} {rng.choice(LAST[country])}",
        "consignee_address": f"{rng.choice(STREETS[country])} {rng.randint(1, 240)}",
        "consignee_city": city,
        "consignee_postcode": postcode,
        "consignee_country": country,
        "vat_path": "IOSS" if ioss else "STANDARD",
        "ioss_number": rng.choice(IOSS_NUMBERS) if ioss else "",
        "currency": "EUR",
        "transport_cost": rng.choice(("0.00", "1.50", "2.50", "3.90")),
        "gross_mass_kg": f"{net + rng.uniform(0.03, 0.25):.3f}",
        "items": items,
    }


# ---------------------------------------------------------------------------
# Child processes with the project's settings
# ---------------------------------------------------------------------------


def internal_seed(count: int, seed: int) -> None:
    """Runs in a child process: file and validate `count` declarations."""
    import django

    django.setup()
    from collections import Counter

    from django.db import transaction

    from accounts.models import Membership, Organisation
    from declarations.models import Declaration
    from declarations.services import declaration_create, declarations_validate

    organisation = Organisation.objects.get(slug=ORGANISATION)
    user = Membership.objects.filter(organisation=organisation).first().user
    rng = random.Random(seed)
    ids: list[int] = []
    started = time.perf_counter()
    for start in range(0, count, SEED_BATCH):
        batch = []
        with transaction.atomic():
            for index in range(start, min(count, start + SEED_BATCH)):
                body = declaration_body(
                    rng,
                    lrn=f"SEED-{index:07d}",
                    hawb=f"CNSEED{index:08d}BE",
                    mawb=mawb_number(2_000_000 + index // 200),
                )
                data = _typed(body)
                batch.append(
                    declaration_create(organisation=organisation, by=user, data=data).pk
                )
        declarations_validate(declaration_ids=batch)
        ids.extend(batch)
        if (start // SEED_BATCH) % 4 == 3:
            print(
                f"[bench]   {len(ids):,} filed and validated in "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    statuses = Counter(
        Declaration.objects.filter(organisation=organisation).values_list(
            "status", flat=True
        )
    )
    print(json.dumps({"ids": ids, "statuses": dict(statuses)}))


def _typed(body: dict) -> dict:
    """The body with the types DeclarationInput would hand the service."""
    data = dict(body)
    data["arrival_date"] = date.fromisoformat(body["arrival_date"])
    for name in ("transport_cost", "gross_mass_kg"):
        data[name] = Decimal(body[name])
    data["items"] = [
        {
            **item,
            "item_value": Decimal(item["item_value"]),
            "net_mass_kg": Decimal(item["net_mass_kg"]),
        }
        for item in body["items"]
    ]
    return data


def internal_profile(key: str, paths: list[str]) -> None:
    """Runs in a child process: queries, SQL time and cProfile per GET."""
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    rounds = 30
    for label, path in (p.split("=", 1) for p in paths):
        client.get(path)  # warm caches and the connection
        queries, sql_seconds, wall, size = 0, 0.0, 0.0, 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(path)
                wall += time.perf_counter() - t0
            queries += len(captured)
            sql_seconds += sum(float(q["time"]) for q in captured.captured_queries)
            size += len(response.content)
        print(
            f"  {label:<22} {queries / rounds:5.1f} queries, SQL "
            f"{1000 * sql_seconds / rounds:6.2f} ms of {1000 * wall / rounds:6.2f} "
            f"ms in process, {size / rounds / 1024:6.1f} KiB, status "
            f"{response.status_code}"
        )
        if label != "yardstick":
            last = [q["sql"] for q in captured.captured_queries]
            for statement in last:
                print(f"      {statement[:150]}")
    for label, path in (p.split("=", 1) for p in paths):
        if label not in ("detail", "list accepted 50"):
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(
            r"(rest_framework|django/db/models|declarations|accounts)", 18
        )
        print(f"\n  cProfile of {rounds} x {label} ({path}), cumulative:")
        body = out.getvalue().split("ncalls", 1)[-1]
        print("   ncalls" + textwrap.indent(body.rstrip(), "  ")[2:])


# ---------------------------------------------------------------------------
# Benchmark-only settings and URLconf
# ---------------------------------------------------------------------------

SETTINGS_TEMPLATE = '''\
"""Written by bench/api.py: the project's settings with the benchmark's URLconf."""
from {base} import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench_api_urls"
# This run's cache keys (throttle counters) apart from any other database's.
if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "{cache_prefix}"  # noqa: F405
_throttle = "{throttle}"
if _throttle == "off":
    REST_FRAMEWORK = {{**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}}  # noqa: F405
elif _throttle == "raised":
    REST_FRAMEWORK = {{  # noqa: F405
        **REST_FRAMEWORK,  # noqa: F405
        "DEFAULT_THROTTLE_RATES": {{
            scope: "{raised_rate}"
            for scope in REST_FRAMEWORK.get(  # noqa: F405
                "DEFAULT_THROTTLE_RATES", {{}}
            )
        }},
    }}
'''

URLCONF = '''\
"""Written by bench/api.py: the project's URLs plus the yardstick view."""
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

import portal.urls as project
from accounts.models import Organisation


class Yardstick(APIView):
    """A bare DRF view reading one row. Authentication and permission are the
    project's defaults (REST_FRAMEWORK settings), as on every API view."""

    def get(self, request):
        row = Organisation.objects.values("id", "slug", "name", "kind", "eori").get(
            pk=request.user.organisation.pk
        )
        return Response(row)


urlpatterns = [path("bench/yardstick/", Yardstick.as_view()), *project.urlpatterns]
handler404 = getattr(project, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(project, "handler500", "django.views.defaults.server_error")
'''


# Counted over one second, so a counter holds at most a second of timestamps
# (DRF keeps one per request in the window) and never refuses this load.
RAISED_RATE = "1000000/s"


def write_settings(folder: Path, base: str, throttle: str, cache_prefix: str) -> None:
    text = SETTINGS_TEMPLATE.format(
        base=base, throttle=throttle, raised_rate=RAISED_RATE, cache_prefix=cache_prefix
    )
    (folder / "bench_api_settings.py").write_text(text)
    (folder / "bench_api_urls.py").write_text(URLCONF)


# ---------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    method: str
    path: str = ""  # fixed path, or "detail" / "create" below
    kind: str = "fixed"  # fixed, detail, create


@dataclass
class Figures:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    non2xx: int = 0
    socket_errors: int = 0
    cpu_busy: float = 0.0
    # CPU (in cores) the machine spent outside this run: not the web server,
    # its PostgreSQL backends or the load generator. Others' work on a shared box.
    other_cores: float = 0.0
    statuses: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system seconds of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().decode(errors="replace").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class OwnCpu:
    """CPU seconds of this run's processes: the web server's tree, the
    PostgreSQL backends of its database, this script and its reaped children."""

    def __init__(self, web_pid: int, admin_url: str, database: str):
        self.web_pid, self.admin_url, self.database = web_pid, admin_url, database

    def pids(self) -> set[int]:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        return {self.web_pid, *children_of(self.web_pid), *(r[0] for r in rows)}

    def sample(self) -> dict[int, float]:
        times = {pid: process_cpu(pid) for pid in self.pids()}
        me, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        times[0] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        return times

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        # A process that began during the interval counts from zero.
        return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


LUA = r"""
-- Written by bench/api.py.
local threads = {}
local counter = 0
local ids = {%(ids)s}
local body_template = %(body)s

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

init = function(args)
  phase = args[1] or "W"
  non2xx = 0
  statuses = {}
  math.randomseed(os.time() * 1000 + id)
  wrk.headers["Authorization"] = "Token %(key)s"
  wrk.headers["Accept"] = "application/json"
  if "%(kind)s" == "create" then
    wrk.headers["Content-Type"] = "application/json"
  end
end

request = function()
  if "%(kind)s" == "detail" then
    return wrk.format("GET", "%(detail_prefix)s" .. ids[math.random(#ids)] .. "/")
  elseif "%(kind)s" == "create" then
    counter = counter + 1
    local tag = string.format("%%s%%02d%%06d", phase, id, counter)
    local serial = %(mawb_base)d + (id * 1000 + math.floor(counter / %(per_mawb)d))
    local mawb = string.format("112-%%07d%%d", serial, serial %% 7)
    local body = body_template:gsub("__LRN__", "BA" .. tag)
    body = body:gsub("__HAWB__", "CNBA" .. tag .. "BE"):gsub("__MAWB__", mawb)
    return wrk.format("POST", "%(path)s", nil, body)
  end
  return wrk.format("%(method)s", "%(path)s")
end

response = function(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local bad = 0
  local totals = {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for code, n in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + n
    end
  end
  local codes = {}
  for code, n in pairs(totals) do
    codes[#codes + 1] = string.format('"%%d": %%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "non2xx": %%d, "socket_errors": %%d, ' ..
    '"statuses": {%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), latency.max, bad,
    e.connect + e.read + e.write + e.timeout, table.concat(codes, ", ")))
end
"""


def lua_string(text: str) -> str:
    """A Lua long string holding `text` (no closing bracket sequence inside)."""
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def template_body() -> str:
    body = declaration_body(
        random.Random(7), lrn="__LRN__", hawb="__HAWB__", mawb="__MAWB__"
    )
    return json.dumps(body, ensure_ascii=False)


class Wrk:
    name = "wrk"

    def __init__(self, work: Path, key: str, ids: list[int], connections: int):
        self.work, self.key, self.ids = work, key, ids
        self.connections = connections
        self.threads = min(connections, max(1, (os.cpu_count() or 2)))
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        self.version = (version.stdout or version.stderr).split("[")[0].strip()

    def describe(self) -> str:
        return f"{self.version}, -t{self.threads} -c{self.connections}"

    def run(self, base: str, scenario: Scenario, seconds: float, phase: str) -> Figures:
        script = (
            self.work / f"wrk-{scenario.kind}-{scenario.name.replace(' ', '_')}.lua"
        )
        script.write_text(
            LUA
            % {
                "ids": ",".join(map(str, self.ids)),
                "body": lua_string(template_body()),
                "key": self.key,
                "kind": scenario.kind,
                "method": scenario.method,
                "path": scenario.path,
                "detail_prefix": DECLARATIONS,
                "mawb_base": 5_000_000 + (ord(phase[0]) - 64) * 100_000,
                "per_mawb": PARCELS_PER_MAWB,
            }
        )
        cmd = [
            "wrk",
            "-t",
            str(self.threads),
            "-c",
            str(self.connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base + (scenario.path or "/"),
            "--",
            phase,
        ]
        busy0, total0 = cpu_times()
        done = subprocess.run(cmd, capture_output=True, text=True)
        busy1, total1 = cpu_times()
        line = next(
            (x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON")), ""
        )
        if done.returncode != 0 or not line:
            raise RuntimeError(
                f"wrk failed ({done.returncode}): "
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        data = json.loads(line.split(" ", 1)[1])
        return Figures(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            non2xx=data["non2xx"],
            socket_errors=data["socket_errors"],
            cpu_busy=(busy1 - busy0) / max(1, total1 - total0),
            statuses=data["statuses"],
        )


class PythonLoad:
    """Bounded closed-loop load: one thread and one keep-alive connection per
    client, each sending its next request when the last answer is read."""

    name = "python"

    def __init__(self, key: str, ids: list[int], connections: int):
        self.key, self.ids, self.connections = key, ids, connections
        self.body = template_body()

    def describe(self) -> str:
        return (
            f"Python http.client, {self.connections} threads with keep-alive "
            "(the generator itself takes CPU from the server)"
        )

    def run(self, base: str, scenario: Scenario, seconds: float, phase: str) -> Figures:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        stop_at = time.perf_counter() + seconds
        results: list[tuple[list[float], int, int, dict]] = []
        lock = threading.Lock()
        headers = {"Authorization": f"Token {self.key}", "Accept": "application/json"}

        def client(number: int) -> None:
            rng = random.Random(number * 7919 + int(time.time()))
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            latencies: list[float] = []
            non2xx = errors = counter = 0
            statuses: dict[int, int] = {}
            while time.perf_counter() < stop_at:
                body, extra = None, {}
                path = scenario.path
                if scenario.kind == "detail":
                    path = f"{DECLARATIONS}{rng.choice(self.ids)}/"
                elif scenario.kind == "create":
                    counter += 1
                    tag = f"{phase}{number:02d}{counter:06d}"
                    serial = (
                        5_000_000
                        + (ord(phase[0]) - 64) * 100_000
                        + number * 1000
                        + counter // PARCELS_PER_MAWB
                    )
                    body = (
                        self.body.replace("__LRN__", f"BA{tag}")
                        .replace("__HAWB__", f"CNBA{tag}BE")
                        .replace("__MAWB__", mawb_number(serial))
                        .encode()
                    )
                    extra = {"Content-Type": "application/json"}
                t0 = time.perf_counter()
                try:
                    conn.request(scenario.method, path, body, {**headers, **extra})
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors += 1
                    conn.close()
                    continue
                latencies.append(time.perf_counter() - t0)
                if not 200 <= response.status < 300:
                    non2xx += 1
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.will_close:
                    conn.close()  # reopened by the next request
            conn.close()
            with lock:
                results.append((latencies, non2xx, errors, statuses))

        busy0, total0 = cpu_times()
        started = time.perf_counter()
        workers = [
            threading.Thread(target=client, args=(n,), daemon=True)
            for n in range(self.connections)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        busy1, total1 = cpu_times()
        latencies = sorted(x for r in results for x in r[0])
        statuses: dict[str, int] = {}
        for r in results:
            for code, n in r[3].items():
                statuses[str(code)] = statuses.get(str(code), 0) + n

        def pct(p: float) -> float:
            if not latencies:
                return 0.0
            return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

        return Figures(
            requests=len(latencies),
            seconds=elapsed,
            p50_ms=pct(0.50),
            p99_ms=pct(0.99),
            max_ms=1000 * latencies[-1] if latencies else 0.0,
            non2xx=sum(r[1] for r in results),
            socket_errors=sum(r[2] for r in results),
            cpu_busy=(busy1 - busy0) / max(1, total1 - total0),
            statuses=statuses,
        )


# ---------------------------------------------------------------------------
# Broker queue
# ---------------------------------------------------------------------------


def delete_queue(broker: str, queue: str) -> int | None:
    """Delete the run's Celery queue from Redis; the messages it held, or None."""
    if not broker.startswith("redis"):
        return None
    try:
        import redis
    except ImportError:
        log(f"redis-py missing: delete the Redis keys {queue}* by hand")
        return None
    try:
        client = redis.Redis.from_url(broker)
        held = client.llen(queue)
        keys = [
            *client.scan_iter(match=f"{queue}*"),  # the queue and the cache keys
            f"_kombu.binding.{queue}",
            f"_kombu.binding_permanent.{queue}",
        ]
        client.delete(*keys)
        return held
    except redis.RedisError as exc:
        log(f"could not delete the queue {queue}: {exc}")
        return None


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, Figures], header: str) -> None:
    print(f"\n{header}")
    print(
        f"{'scenario':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'requests':>10}{'non-2xx':>9}{'sock err':>9}{'CPU busy':>9}{'others':>7}"
    )
    for name, f in results.items():
        print(
            f"{name:<24}{f.rate:>9,.1f}{f.p50_ms:>9.1f}{f.p99_ms:>9.1f}"
            f"{f.max_ms:>9.1f}{f.requests:>10,}{f.non2xx:>9,}{f.socket_errors:>9,}"
            f"{f.cpu_busy:>9.0%}{f.other_cores:>7.2f}"
        )
        if f.statuses:
            codes = ", ".join(f"{k}: {v}" for k, v in sorted(f.statuses.items()))
            print(f"{'':<24}non-2xx statuses {codes}")
    print("(CPU busy: the whole machine; others: cores busy outside this run, i.e.")
    print(" not the web server, its PostgreSQL backends or the load generator)")
    busiest = max((f.other_cores for f in results.values()), default=0.0)
    if busiest > 0.2:
        print(f"WARNING: other processes used up to {busiest:.2f} cores during the "
              "run: the figures are lower than on a quiet machine.")  # fmt: skip
    yard = results.get("yardstick")
    if not yard or not yard.rate:
        return
    print("ratios to the yardstick:")
    for name, f in results.items():
        if name != "yardstick":
            print(f"  {name:<22}{f.rate / yard.rate:6.1%}")
    print("goals (16 concurrent clients, 2 cores):")
    for name, goal in (
        ("detail", GOAL_DETAIL_RATIO),
        ("list accepted 50", GOAL_LIST_RATIO),
    ):
        f = results.get(name)
        if f is None:
            continue
        ratio = f.rate / yard.rate
        print(
            f"  {verdict(ratio >= goal)}  {name} >= {goal:.0%} of the yardstick's "
            f"throughput: {ratio:.1%} ({f.rate:,.0f} vs {yard.rate:,.0f} req/s)"
        )
        print(
            f"  {verdict(f.p99_ms < GOAL_P99_MS)}  {name} p99 < "
            f"{GOAL_P99_MS:.0f} ms: {f.p99_ms:.1f} ms"
        )
        if f.non2xx or f.socket_errors:
            print(
                f"  MISS  {name} without errors: {f.non2xx} non-2xx, "
                f"{f.socket_errors} socket errors"
            )


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--declarations",
        type=int,
        default=10_000,
        help="declarations of demo-broker filed before the run",
    )
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds measured per scenario"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of load before each measurement",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker; > 1 uses the gthread worker",
    )
    parser.add_argument(
        "--web", choices=("auto", "gunicorn", "runserver"), default="auto"
    )
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--only", help="comma-separated scenario names to run")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument(
        "--settings",
        default="portal.settings.base",
        help="settings module the benchmark's settings import",
    )
    parser.add_argument(
        "--throttle",
        choices=("raised", "project", "off"),
        default="raised",
        help="API throttles: the project's classes with rates no load reaches "
        f"({RAISED_RATE}), the project's rates (600/min refuses most of the "
        "load with 429), or no throttle classes",
    )
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the temporary folder"
    )
    parser.add_argument("--internal-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--internal-profile", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal_seed is not None:
        internal_seed(args.internal_seed, args.seed)
        return 0
    if args.internal_profile:
        internal_profile(args.internal_profile[0], args.internal_profile[1:])
        return 0

    admin_url = os.environ.get("DATABASE_URL") or DEFAULT_ADMIN_URL
    broker = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER
    name = f"bench_api_{os.getpid()}"
    queue = f"bench-api-{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    write_settings(work, args.settings, args.throttle, cache_prefix=queue)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_api_settings",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(work), str(ROOT), os.environ.get("PYTHONPATH")) if p
            ),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url(admin_url, name),
            "MEDIA_ROOT": str(work / "media"),
            # Set-up steps queue validation tasks on commit: nowhere.
            "CELERY_BROKER_URL": "memory://",
            # ...but share the web server's cache, as workers do in production:
            # validation renders the answers the broker then reads.
            "CACHE_URL": broker,
            "CELERY_QUEUE": queue,
        }
    )
    procs = Processes()
    created = False

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    code = 0
    web = None
    try:
        log(
            f"database {name} on {urllib.parse.urlsplit(admin_url).netloc}; "
            f"files in {work}"
        )
        drop_database(admin_url, name)
        admin_execute(
            admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        )
        created = True
        key = migrate_seed_and_issue_key(env, ORGANISATION)
        log(f"filing {args.declarations:,} declarations of {ORGANISATION}")
        started = time.perf_counter()
        out = run_step(
            [
                PYTHON,
                str(Path(__file__).resolve()),
                "--internal-seed",
                str(args.declarations),
                "--seed",
                str(args.seed),
            ],
            env,
            "filing declarations",
        )
        seeded = json.loads(out.strip().splitlines()[-1])
        ids, statuses = seeded["ids"], seeded["statuses"]
        seed_seconds = time.perf_counter() - started
        log(
            f"filed and validated {len(ids):,} in {seed_seconds:.0f} s "
            f"({len(ids) / seed_seconds:,.0f}/s): {statuses}"
        )
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

        port = free_port()
        web_env = {**env, "CELERY_BROKER_URL": broker}
        if args.web == "gunicorn" or (args.web == "auto" and gunicorn_available()):
            worker_class = "gthread" if args.threads > 1 else "sync"
            server = f"gunicorn, {args.workers} {worker_class} workers" + (
                f" x {args.threads} threads" if args.threads > 1 else ""
            )
            web_cmd = [
                PYTHON,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                worker_class,
                "--threads",
                str(args.threads),
                "--backlog",
                "256",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ]
        else:
            server = "runserver --noreload (gunicorn missing: figures not comparable)"
            web_cmd = [
                PYTHON,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ]
        web = procs.start("web", web_cmd, web_env, work / "web.log")
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}{YARDSTICK}", web)
        status, data = http_json(f"{base}{YARDSTICK}", key, timeout=30)
        if status != 200:
            raise RuntimeError(f"the yardstick answered {status}: {str(data)[:500]}")
        status, data = http_json(f"{base}{DECLARATIONS}{ids[0]}/", key, timeout=30)
        if status != 200:
            raise RuntimeError(f"a detail answered {status}: {str(data)[:500]}")

        use_wrk = args.loadgen == "wrk" or (
            args.loadgen == "auto" and shutil.which("wrk") is not None
        )
        if use_wrk:
            loadgen = Wrk(work, key, ids, args.connections)
        else:
            loadgen = PythonLoad(key, ids, args.connections)
        scenarios = [
            Scenario("yardstick", "GET", YARDSTICK),
            Scenario("detail", "GET", "", "detail"),
            Scenario(
                "list accepted 50",
                "GET",
                f"{DECLARATIONS}?status=accepted&page_size=50",
            ),
            Scenario("list all 50", "GET", f"{DECLARATIONS}?page_size=50"),
            Scenario("create", "POST", DECLARATIONS, "create"),
        ]
        if args.only:
            wanted = {s.strip() for s in args.only.split(",")}
            scenarios = [s for s in scenarios if s.name in wanted or s.kind in wanted]
        header = (
            f"bench/api.py: {os.cpu_count()} CPUs; {server}; {loadgen.describe()}; "
            f"{args.duration:g} s per scenario after {args.warmup:g} s warm-up; "
            f"{len(ids):,} declarations of {ORGANISATION} "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(statuses.items()))}); "
            f"settings {args.settings}, throttles {args.throttle}"
        )
        results: dict[str, Figures] = {}
        own = OwnCpu(web.pid, admin_url, name)
        for number, scenario in enumerate(scenarios):
            phase = chr(ord("A") + 2 * number)
            log(f"{scenario.name}: {args.warmup:g} s warm-up, {args.duration:g} s")
            if args.warmup > 0:
                loadgen.run(base, scenario, args.warmup, phase)
            own0, (busy0, total0) = own.sample(), cpu_times()
            figures = loadgen.run(base, scenario, args.duration, chr(ord(phase) + 1))
            own1, (busy1, total1) = own.sample(), cpu_times()
            cores = os.cpu_count() or 1
            wall = (total1 - total0) / CLOCK_TICKS / cores
            machine = (busy1 - busy0) / CLOCK_TICKS
            figures.other_cores = max(0.0, machine - OwnCpu.spent(own0, own1)) / wall
            if web.poll() is not None:
                raise RuntimeError(f"the web server exited with {web.returncode}")
            results[scenario.name] = figures
            log(
                f"  {figures.rate:,.1f} req/s, p50 {figures.p50_ms:.1f} ms, "
                f"p99 {figures.p99_ms:.1f} ms, {figures.non2xx} non-2xx"
            )
        procs.stop(web)
        web = None
        report(results, header)
        server_errors = sum(
            n for f in results.values() for c, n in f.statuses.items() if c >= "500"
        )
        log_text = (work / "web.log").read_text(errors="replace")
        if server_errors and log_text.strip():
            print(f"\n{server_errors} answers 5xx; the end of the web server's log:")
            print(log_text[-5000:].rstrip())
        sys.stdout.flush()
        if args.profile:
            print(
                "\nper request, in process (Django test client, "
                "CaptureQueriesContext, 30 requests each):"
            )
            sys.stdout.flush()
            paths = [
                f"yardstick={YARDSTICK}",
                f"detail={DECLARATIONS}{ids[len(ids) // 2]}/",
                f"list accepted 50={DECLARATIONS}?status=accepted&page_size=50",
                f"list all 50={DECLARATIONS}?page_size=50",
            ]
            profile_env = {**env, "CONN_MAX_AGE": "60"}
            out = run_step(
                [
                    PYTHON,
                    str(Path(__file__).resolve()),
                    "--internal-profile",
                    key,
                    *paths,
                ],
                profile_env,
                "profile",
            )
            print(out.rstrip())
    except KeyboardInterrupt as exc:
        log(f"interrupted ({str(exc) or 'SIGINT'}); cleaning up")
        code = 130
    except (RuntimeError, psycopg.Error, OSError, ValueError) as exc:
        log(f"failed: {exc}")
        log_file = work / "web.log"
        if log_file.exists() and log_file.read_text(errors="replace").strip():
            log("--- last lines of web.log ---")
            sys.stderr.write(log_file.read_text(errors="replace")[-6000:] + "\n")
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        procs.stop_all()
        held = delete_queue(broker, queue)
        if held:
            log(f"deleted the queue {queue} ({held:,} validation tasks never run)")
        if args.keep:
            log(f"kept: database {name}; files in {work}")
        else:
            if created:
                drop_database(admin_url, name)
            shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return code


if __name__ == "__main__":
    sys.exit(main())
