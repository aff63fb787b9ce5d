"""URLs of the manifest pages."""

from django.urls import path

from declarations import views_manifests as views

app_name = "manifests"

urlpatterns = [
    path("", views.manifest_list, name="list"),
    path("upload/", views.manifest_upload, name="upload"),
    path("<int:pk>/", views.manifest_detail, name="detail"),
    path("<int:pk>/issues.csv", views.manifest_issues_csv, name="issues-csv"),
]
