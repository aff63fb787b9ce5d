"""Pages of the accounts app: the organisation's settings (team, API keys, webhooks)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("team/invitations/", views.invitation_create, name="invitation-create"),
    path(
        "team/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("team/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("team/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("team/members/<int:pk>/restore/", views.member_restore, name="member-restore"),
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
