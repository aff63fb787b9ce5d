"""Every task and beat entry can be queued, on whichever broker the suite runs."""

import pytest
from django.conf import settings
from kombu import Queue

from accounts import webhooks
from portal.celery import app
from portal.settings import base

OUR_APPS = ("accounts.", "declarations.", "reference.", "shipments.")


def our_tasks():
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith(OUR_APPS))


def test_the_project_registers_its_tasks():
    """The lookup below finds the project's tasks (so the checks cannot pass empty)."""
    assert "accounts.tasks.deliver_webhooks" in our_tasks()
    assert "declarations.tasks.validate_declaration" in our_tasks()


@pytest.mark.parametrize("name", our_tasks())
def test_a_task_soft_limit_is_within_its_hard_limit(name):
    """Celery refuses to queue a task whose soft time limit (its own or the global
    CELERY_TASK_SOFT_TIME_LIMIT) is above its hard one: apply_async raises."""
    task = app.tasks[name]
    if task.soft_time_limit and task.time_limit:
        assert task.soft_time_limit <= task.time_limit, (
            f"{name}: soft {task.soft_time_limit} s > hard {task.time_limit} s"
        )


# The production schedule, not the test settings' reduced one.
@pytest.mark.parametrize("key", sorted(base.CELERY_BEAT_SCHEDULE))
def test_a_beat_entry_names_a_task_that_can_be_queued(key):
    """Beat sends each entry with apply_async: the task exists, takes the entry's
    arguments and has consistent limits."""
    entry = base.CELERY_BEAT_SCHEDULE[key]
    task = app.tasks[entry["task"]]
    task.__header__(*entry.get("args", ()), **entry.get("kwargs", {}))
    if task.soft_time_limit and task.time_limit:
        assert task.soft_time_limit <= task.time_limit


def drain(queue_name: str) -> list[tuple[str, list]]:
    """The (task, args) of every message waiting on a queue, taken off it."""
    taken = []
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(Queue(queue_name, routing_key=queue_name))
        try:
            while True:
                try:
                    message = simple.get(block=True, timeout=1)
                except simple.Empty:
                    return taken
                args, _kwargs, _embed = message.decode()
                taken.append((message.headers["task"], args))
                message.ack()
        finally:
            simple.close()


def test_a_large_batch_of_webhook_deliveries_reaches_the_broker():
    """Over 100 deliveries (a large manifest's) are published as batches of 100
    through the real broker, which refused them when the limits clashed."""
    webhooks._queue(list(range(1, 251)))
    published = [
        args
        for task, args in drain(settings.CELERY_TASK_DEFAULT_QUEUE)
        if task == "accounts.tasks.deliver_webhooks"
    ]
    assert [len(args[0]) for args in published] == [100, 100, 50]
