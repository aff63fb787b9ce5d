"""API routes of the accounts app (webhook endpoints and deliveries)."""

from django.urls import path

from accounts import api_webhooks

app_name = "accounts_api"

urlpatterns = [
    path(
        "webhooks/",
        api_webhooks.WebhookEndpointListCreate.as_view(),
        name="webhooks",
    ),
    path(
        "webhooks/<int:pk>/",
        api_webhooks.WebhookEndpointDetail.as_view(),
        name="webhook",
    ),
    path(
        "webhooks/<int:pk>/deliveries/",
        api_webhooks.WebhookDeliveryList.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/deliveries/<int:pk>/replay/",
        api_webhooks.WebhookDeliveryReplay.as_view(),
        name="webhook-delivery-replay",
    ),
]
