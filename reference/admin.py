"""Admin pages to look up reference data; it changes only through its loaders."""

from django.contrib import admin
from django.http import HttpRequest

from reference.models import (
    Country,
    Currency,
    HsCode,
    SanctionsAlias,
    SanctionsEntry,
    SanctionsList,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: reference rows are written by `load_reference`, not by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: object | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: object | None = None
    ) -> bool:
        return False


@admin.register(HsCode)
class HsCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "description", "level", "section", "edition")
    list_filter = ("level", "edition", "section")
    search_fields = ("code", "description")
    ordering = ("edition", "code")


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "numeric",
        "is_eu_member",
        "in_eu_vat_area",
        "has_postcodes",
    )
    list_filter = ("is_eu_member", "in_eu_vat_area", "has_postcodes")
    search_fields = ("code", "name", "numeric")


@admin.register(Currency)
class CurrencyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "numeric")
    search_fields = ("code", "name", "numeric")


@admin.register(SanctionsList)
class SanctionsListAdmin(ReadOnlyAdmin):
    list_display = ("source", "published_on", "imported_at", "entry_count", "is_active")
    list_filter = ("source", "is_active")
    ordering = ("source", "-imported_at")


class SanctionsAliasInline(admin.TabularInline):
    model = SanctionsAlias
    fields = ("name", "is_strong")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SanctionsEntry)
class SanctionsEntryAdmin(ReadOnlyAdmin):
    """Listed parties; written by `load_sanctions` and the refresh task only."""

    list_display = ("name", "kind", "external_id", "programmes", "list")
    list_filter = ("list__source", "list__is_active", "kind")
    search_fields = ("name", "external_id", "reference", "aliases__name")
    list_select_related = ("list",)
    inlines = (SanctionsAliasInline,)
