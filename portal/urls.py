"""Top-level URLs: pages, the admin, the API and its schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views_public
from accounts.forms import EmailAuthenticationForm
from declarations.api import actions as api_actions
from declarations.api import manifests as api_manifests
from declarations.api import quotes as api_quotes
from declarations.api import views as declarations_api
from portal import ops
from portal.api_errors import json_not_found
from reference import api as reference_api

api_v1 = [
    path("quotes/", api_quotes.QuoteCreate.as_view(), name="quotes"),
    path("reference/hs/", reference_api.HsSearch.as_view(), name="hs-search"),
    path(
        "declarations/bulk/",
        api_actions.DeclarationBulkCreate.as_view(),
        name="declarations-bulk",
    ),
    path(
        "declarations/<int:pk>/submit/",
        api_actions.DeclarationSubmit.as_view(),
        name="declaration-submit",
    ),
    path(
        "declarations/<int:pk>/amend/",
        api_actions.DeclarationAmend.as_view(),
        name="declaration-amend",
    ),
    path(
        "declarations/<int:pk>/invalidate/",
        api_actions.DeclarationInvalidate.as_view(),
        name="declaration-invalidate",
    ),
    path("manifests/", api_manifests.ManifestUpload.as_view(), name="manifests"),
    path(
        "manifests/<int:pk>/", api_manifests.ManifestDetail.as_view(), name="manifest"
    ),
    path(
        "manifests/<int:pk>/issues/",
        api_manifests.ManifestIssues.as_view(),
        name="manifest-issues",
    ),
    path(
        "manifests/<int:pk>/issues.csv",
        api_manifests.ManifestIssuesCsv.as_view(),
        name="manifest-issues-csv",
    ),
    path(
        "declarations/",
        declarations_api.DeclarationListCreate.as_view(),
        name="declarations",
    ),
    path(
        "declarations/<int:pk>/",
        declarations_api.DeclarationDetail.as_view(),
        name="declaration",
    ),
    path(
        "declarations/<int:pk>/documents/",
        declarations_api.DeclarationDocuments.as_view(),
        name="declaration-documents",
    ),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="declarations:list"), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password reset; the views are its classes, throttled.
    path(
        "accounts/password_reset/",
        views_public.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_public.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("accounts.urls_public")),
    path("", include("declarations.urls_reports")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("declarations/", include("declarations.urls")),
    path("manifests/", include("declarations.urls_manifests")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/v1/", include("accounts.api_urls")),
    path("settings/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (no inline script, so
    # the Content-Security-Policy holds); Swagger UI itself comes from the
    # sidecar package's static files, not a CDN (SPECTACULAR_SETTINGS).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="api-docs",
    ),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.svg"), permanent=True),
        name="favicon",
    ),
    # Even with DEBUG on, an unknown API path answers problem+json, not HTML.
    re_path(r"^api/", json_not_found),
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
