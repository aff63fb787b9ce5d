"""Pages of the accounts app: the organisation's settings (API keys, webhooks)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("keys/", views.api_key_create, name="key-create"),
    path("keys/<int:pk>/revoke/", views.api_key_revoke_view, name="key-revoke"),
    path("webhooks/", views.webhook_create, name="webhook-create"),
    path(
        "webhooks/<int:pk>/events/",
        views.webhook_events_update,
        name="webhook-events",
    ),
    path(
        "webhooks/<int:pk>/deactivate/",
        views.webhook_deactivate,
        name="webhook-deactivate",
    ),
    path(
        "webhooks/<int:pk>/activate/", views.webhook_activate, name="webhook-activate"
    ),
    path(
        "webhooks/deliveries/<int:pk>/replay/",
        views.delivery_replay,
        name="delivery-replay",
    ),
]
