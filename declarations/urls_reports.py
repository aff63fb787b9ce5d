"""Printable declarations and release notes (PDF), and the organisation's dashboard."""

from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns: list = []
