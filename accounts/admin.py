"""Admin for organisations, members and API keys (superusers only)."""

from django.contrib import admin

from accounts.models import ApiKey, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "eori"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "eori"]
    inlines = [MembershipInline]


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
