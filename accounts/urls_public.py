"""Pages open to visitors: an organisation's sign-up and accepting an invitation."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
