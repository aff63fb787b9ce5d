"""Celery tasks of accounts: webhook deliveries, retried for 26 hours."""

import logging

from celery import shared_task
from django.db import OperationalError

from accounts import webhooks

logger = logging.getLogger(__name__)


def _record_delivery_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    """A delivery the task gave up on shows as failed, with why, to the broker."""
    delivery_id = args[0] if args else kwargs.get("delivery_id")
    logger.error("Webhook delivery %s failed for good: %s", delivery_id, exc)
    webhooks.webhook_delivery_fail(
        delivery_id=delivery_id, error=f"Not delivered: {type(exc).__name__}: {exc}"
    )


@shared_task(
    bind=True,
    acks_late=True,
    # One POST of at most 10 s, plus the database.
    time_limit=60,
    soft_time_limit=45,
    # The service counts attempts in the row; this is only a backstop.
    max_retries=webhooks.MAX_ATTEMPTS - 1,
    # Our database, not the receiver: HTTP failures are retried below.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    on_failure=_record_delivery_failure,
)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one delivery; on failure retry with the service's backoff.

    Schedule (webhooks.webhook_retry_countdown): 30 s, 1, 2, 4, 8, 16, 32 min,
    1 h 4, 2 h 8, 4 h 16, 6 h, 6 h, 6 h, so 14 attempts over at least 26 h 31 min.
    HTTP errors are not exceptions here: the service records them and returns
    the countdown, so there is no autoretry.
    """
    outcome = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome is not None and outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def deliver_webhooks(delivery_ids: list[int]) -> None:
    """Fan a batch of deliveries out to one task each (sending them here in turn
    would let one slow receiver hold up the others)."""
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resume_stalled_webhooks() -> int:
    """Queue again the pending deliveries whose retry message was lost (a broker
    restart): a delivery run twice is sent once."""
    delivery_ids = webhooks.webhook_deliveries_stalled()
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)
    return len(delivery_ids)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def purge_idempotency_records() -> int:
    """Hourly: forget Idempotency-Keys older than 24 hours."""
    from accounts.idempotency import idempotency_records_purge

    return idempotency_records_purge()
