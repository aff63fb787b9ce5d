"""Operators' endpoints: liveness, readiness and Prometheus metrics."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from declarations.models import Declaration
from portal.celery import app
from shipments.models import Manifest

# Task outcomes are counted in the default cache, shared by every web server and
# worker when it is Redis (production); without Redis each process counts alone.
TASK_COUNTER = "ops:tasks:{outcome}:{name}"
TASK_NAMES = "ops:task-names"


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the process can answer at all; checks nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when PostgreSQL and the Celery broker both answer, else 503; the body
    says which part failed (the error's class only: no addresses or secrets)."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(ok == "ok" for ok in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _database_ok() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means not ready; say which kind
        return f"failed: {type(exc).__name__}"


def _broker_ok() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"failed: {type(exc).__name__}"


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, only for the addresses of METRICS_ALLOWED_IPS;
    everyone else gets a 404, as if the endpoint did not exist."""
    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    registry = CollectorRegistry()
    registry.register(PortalCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class PortalCollector:
    """Reads the figures when scraped: a few aggregate queries, no state here."""

    def collect(self):
        declarations = GaugeMetricFamily(
            "portal_declarations",
            "Declarations by status (all versions).",
            labels=["status"],
        )
        counts = dict(Declaration.objects.values_list("status").annotate(n=Count("pk")))
        for status in Declaration._meta.get_field("status").choices:
            declarations.add_metric([status[0]], counts.get(status[0], 0))
        yield declarations

        yield GaugeMetricFamily(
            "portal_manifests_in_progress",
            "Manifests queued or being processed.",
            value=Manifest.objects.filter(
                status__in=(Manifest.Status.QUEUED, Manifest.Status.PROCESSING)
            ).count(),
        )

        depth = GaugeMetricFamily(
            "portal_queue_depth",
            "Messages waiting on the Celery queue.",
            labels=["queue"],
        )
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        size = _queue_depth(queue)
        if size is not None:
            depth.add_metric([queue], size)
        yield depth

        tasks = CounterMetricFamily(
            "portal_tasks",
            "Celery tasks finished, by outcome.",
            labels=["task", "outcome"],
        )
        names = sorted(cache.get(TASK_NAMES) or ())
        keys = {
            (name, outcome): TASK_COUNTER.format(outcome=outcome, name=name)
            for name in names
            for outcome in ("succeeded", "failed")
        }
        values = cache.get_many(list(keys.values()))
        for (name, outcome), key in keys.items():
            tasks.add_metric([name, outcome], values.get(key, 0))
        yield tasks


def _queue_depth(queue: str) -> int | None:
    try:
        with app.connection_for_read() as conn:
            return conn.default_channel.queue_declare(queue, passive=True).message_count
    except Exception:  # a queue nobody declared yet, or the broker is down
        return None


def task_finished(name: str, outcome: str) -> None:
    """Count one finished task (called from Celery's signals, portal/celery.py)."""
    key = TASK_COUNTER.format(outcome=outcome, name=name)
    if cache.add(key, 1, timeout=None):
        names = set(cache.get(TASK_NAMES) or ())
        if name not in names:
            cache.set(TASK_NAMES, names | {name}, timeout=None)
    else:
        cache.incr(key)
