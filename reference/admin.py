"""Admin pages to look up reference data; it changes only through its loaders."""

import functools
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from reference.ecb import MAX_FILE_BYTES, EcbFileError, ecb_rates_load
from reference.models import (
    Country,
    Currency,
    EcbRate,
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


class EcbFileForm(forms.Form):
    file = forms.FileField(
        label="ECB file",
        help_text=(
            "eurofxref-hist.zip, eurofxref-hist.csv, eurofxref-daily.xml or "
            "eurofxref-hist-90d.xml, as downloaded from the ECB."
        ),
    )


# Inline templates: the admin pages of this one view need no template files.
@functools.cache
def _ecb_templates() -> dict[str, object]:
    django_engine = engines["django"]
    return {
        "change_list": django_engine.from_string(
            '{% extends "admin/change_list.html" %}'
            "{% block object-tools-items %}"
            '<li><a href="{% url "admin:reference_ecbrate_upload" %}">'
            "Upload ECB file</a></li>{{ block.super }}{% endblock %}"
        ),
        "upload": django_engine.from_string(
            '{% extends "admin/base_site.html" %}'
            "{% block content %}"
            '<form method="post" enctype="multipart/form-data">{% csrf_token %}'
            "{{ form.as_p }}"
            '<input type="submit" value="Load rates"></form>'
            "{% endblock %}"
        ),
    }


@admin.register(EcbRate)
class EcbRateAdmin(ReadOnlyAdmin):
    """ECB rates; written by uploads here, `load_ecb_rates` and `fetch_ecb_rates`."""

    list_display = ("day", "currency", "rate", "source", "loaded_at")
    list_filter = ("currency",)
    date_hierarchy = "day"
    search_fields = ("currency",)

    @property
    def change_list_template(self):  # type: ignore[override]
        return _ecb_templates()["change_list"]

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="reference_ecbrate_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Load an ECB file and report the rows written, or why it was refused."""
        # ReadOnlyAdmin refuses adding rows by hand; loading a file is allowed
        # to whoever holds the model's add permission.
        if not request.user.has_perm("reference.add_ecbrate"):
            raise PermissionDenied
        form = EcbFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_FILE_BYTES:
                form.add_error("file", f"Larger than {MAX_FILE_BYTES} B.")
            else:
                try:
                    written = _ecb_upload_load(upload=upload)
                except EcbFileError as error:
                    form.add_error("file", str(error))
                else:
                    self.message_user(
                        request,
                        f"{written} ECB rates written from {upload.name}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:reference_ecbrate_changelist")
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload ECB file",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, _ecb_templates()["upload"], context)


def _ecb_upload_load(*, upload) -> int:
    with tempfile.TemporaryDirectory(prefix="ecb-upload-") as directory:
        target = Path(directory) / "ecb-rates"
        with target.open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        return ecb_rates_load(path=target, source=f"upload {upload.name}")
