"""Settings for the test suite: fast hashing, mail kept in memory, own Celery queue."""

import os
import uuid

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Each test process (xdist worker) publishes to its own queue, so the real
# workers that tests start never take another process's tasks off a shared Redis.
CELERY_TASK_DEFAULT_QUEUE = env(
    "CELERY_QUEUE", default=f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
)
# Small chunks, so that a test manifest of a few dozen parcels spans several.
MANIFEST_CHUNK_SIZE = env.int("MANIFEST_CHUNK_SIZE", default=5)
MANIFEST_STALL_SECONDS = env.int("MANIFEST_STALL_SECONDS", default=120)
CELERY_BEAT_SCHEDULE = {
    key: entry
    for key, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
    if key == "resume-stalled-manifests"
}
# Test processes share one Redis but not their databases (each xdist worker
# has its own, with ids starting at 1): keep their cache keys apart too.
if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
# Tests sign up and reset passwords many times from 127.0.0.1; the tests of
# the limits set their own rates.
SIGN_UP_RATE_PER_IP = SIGN_UP_RATE_PER_ACCOUNT = "10000/h"
PASSWORD_RESET_RATE_PER_IP = PASSWORD_RESET_RATE_PER_ACCOUNT = "10000/h"
