"""Admin for organisations, members, API keys and webhooks (superusers only)."""

from django.contrib import admin

from accounts import webhooks
from accounts.eori import eori_fails
from accounts.models import (
    ApiKey,
    Membership,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "eori", "eori_flagged"]
    list_filter = ["kind", "eori_flagged"]
    search_fields = ["name", "slug", "eori"]
    readonly_fields = ["eori_flagged"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        # The EORI field's validator has checked the corrected number: the flag
        # follows it, so a corrected organisation may file again.
        obj.eori_flagged = eori_fails(obj.eori)
        super().save_model(request, obj, form, change)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "organisation",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organisation"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "events", "is_active", "created_at"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["url", "description"]
    # The secret is never shown after creation (it is excluded, not read-only).
    exclude = ["secret"]
    readonly_fields = ["organisation", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # created through the service, which issues the secret


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "endpoint",
        "event",
        "declaration_id",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["=declaration_id", "endpoint__url"]
    raw_id_fields = ["endpoint", "replay_of"]
    actions = ["replay"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Replay the selected deliveries")
    def replay(self, request, queryset) -> None:
        replayed = 0
        for delivery in queryset.select_related("endpoint"):
            if delivery.endpoint.is_active:
                webhooks.webhook_delivery_replay(delivery=delivery, by=request.user)
                replayed += 1
        self.message_user(request, f"{replayed} deliveries queued again.")
