"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import task_failure, task_success

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# kombu's filesystem transport (the broker when CELERY_BROKER_URL is unset)
# writes into folders it never creates. Every process that publishes or
# consumes (web, worker, beat, a management command, a test) configures this
# app first, so the folders are made here, once per process.
FILESYSTEM_FOLDERS = (
    "data_folder_in",
    "data_folder_out",
    "processed_folder",
    "control_folder",
)


@app.on_after_configure.connect
def filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@task_success.connect
def _count_success(sender=None, **kwargs) -> None:
    _count(sender, "succeeded")


@task_failure.connect
def _count_failure(sender=None, **kwargs) -> None:
    _count(sender, "failed")


def _count(task, outcome: str) -> None:
    """Tasks run and failed, for the operators' /metrics (portal/ops.py)."""
    from portal.ops import task_finished  # needs Django's apps, loaded by now

    try:
        task_finished(getattr(task, "name", str(task)), outcome)
    except Exception:  # a metric must never fail a task
        logger.warning("could not count a finished task", exc_info=True)
