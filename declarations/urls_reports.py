"""Printable declarations and release notes (PDF), and the organisation's dashboard."""

from django.urls import path

from declarations import views_reports

app_name = "reports"

urlpatterns = [
    path("dashboard/", views_reports.dashboard, name="dashboard"),
    path(
        "declarations/<int:pk>/pdf/",
        views_reports.declaration_pdf,
        name="declaration-pdf",
    ),
    path(
        "declarations/<int:pk>/release-note.pdf",
        views_reports.release_note,
        name="release-note",
    ),
]
