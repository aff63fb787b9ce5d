"""Settings for `make dev`: debug on, e-mail to the console."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# Development machines are often offline: no scheduled downloads of sanctions
# lists or ECB rates unless asked for (load them with the management commands).
if not env.bool("SCHEDULED_DOWNLOADS", default=False):
    for _task in ("fetch-ecb-rates", "refresh-ofac", "refresh-eu-fsf"):
        CELERY_BEAT_SCHEDULE.pop(_task, None)  # noqa: F405
