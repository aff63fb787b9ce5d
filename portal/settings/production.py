"""Production settings: secrets have no default, every transport is secure."""

import environ

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = False
# No default: a missing SECRET_KEY must stop the process at start.
SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise environ.ImproperlyConfigured("SECRET_KEY must be at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
# Officers and organisation administrators give a TOTP code after the password.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
