"""Settings for `make dev`: debug on, e-mail to the console."""

from portal.settings.base import *  # noqa: F403

DEBUG = True
