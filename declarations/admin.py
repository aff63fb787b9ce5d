"""The customs officer's review queue and decisions, in the Django admin."""

from django.contrib import admin, messages
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.errors import ApplicationError
from declarations.forms import DecisionForm
from declarations.models import (
    DECIDABLE_STATUSES,
    Declaration,
    Document,
    GoodsItem,
    RuleSetting,
    ScreeningMatch,
    Status,
    StatusChange,
    UnitValueReference,
    ValidationIssue,
)
from declarations.services import OFFICER_DECISIONS, declaration_decide
from declarations.services.lifecycle import ACTION_PAST


class ReadOnlyInline(admin.TabularInline):
    """Officers see what the declarant declared; they cannot change it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class GoodsItemInline(ReadOnlyInline):
    model = GoodsItem
    fields = [
        "line",
        "description",
        "hs_code",
        "origin_country",
        "quantity",
        "item_value",
        "net_mass_kg",
        "product_id",
    ]
    readonly_fields = fields


class ValidationIssueInline(ReadOnlyInline):
    model = ValidationIssue
    fields = ["severity", "code", "item", "field", "message"]
    readonly_fields = fields
    verbose_name_plural = "Rule book findings"


class ScreeningMatchInline(ReadOnlyInline):
    model = ScreeningMatch
    fields = ["party", "screened_name", "matched_name", "listed_name", "source",
              "external_id", "kind", "programmes", "score"]  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = "Sanctions screening matches"


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["kind", "file_link", "outcome", "content_type", "findings",
              "created_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="file")
    def file_link(self, obj: Document) -> str:
        return format_html('<a href="{}" target="_blank">{}</a>', obj.file.url,
                           obj.original_name)  # fmt: skip

    @admin.display(description="findings")
    def findings(self, obj: Document) -> str:
        parts = list(obj.problems) + list(obj.warnings)
        if obj.invoice_total is not None:
            parts.append(f"Invoice total {obj.invoice_currency} {obj.invoice_total} "
                         f"({obj.invoice_source})")  # fmt: skip
        return "; ".join(parts) or "—"


class RiskReasonFilter(admin.SimpleListFilter):
    title = "risk reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [
            ("RISK-SANCTIONS", "Sanctions hit"),
            ("RISK-UNDERVALUE", "Undervaluation"),
            ("RISK-SPLIT", "Split consignment"),
            ("DQ-ZERO-VALUE", "Zero value"),
            ("EX-EMBARGO", "Embargoed destination"),
            ("EX-DUAL-USE", "Dual-use goods"),
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(issues__code=self.value()).distinct()
        return queryset


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = "Status history"
    ordering = ["at", "pk"]


class AwaitingDecisionFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", "Awaiting a decision"),
            ("invalidation", "Invalidation requested"),
            ("all", "All submitted"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (None, "open"):
            return queryset.filter(status__in=DECIDABLE_STATUSES)
        if self.value() == "invalidation":
            return queryset.filter(
                invalidation_requested_at__isnull=False, status=Status.RELEASED
            )
        return queryset

    def choices(self, changelist):
        # "Awaiting a decision" is the default: selected when no parameter is given.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


_PAST = ACTION_PAST
_TITLE = {
    "release": "Release",
    "hold": "Hold",
    "request_documents": "Request documents",
    "refuse": "Refuse",
    "invalidate": "Invalidate",
}


def _decision_action(decision: str):
    """An admin action that takes `decision` on the selected declarations."""

    def action(modeladmin, request: HttpRequest, queryset: QuerySet):
        return modeladmin._decide(request, queryset, decision)

    action.__name__ = f"{decision}_selected"
    return admin.action(
        description=f"{_TITLE[decision]}: selected declarations",
        permissions=["decide"],
    )(action)


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "risk_score", "reasons", "status_badge", "type_code", "hawb",
        "organisation", "consignee", "submitted_at",
    ]  # fmt: skip
    list_display_links = ["__str__"]
    list_filter = [AwaitingDecisionFilter, RiskReasonFilter, "status", "type",
                   "organisation"]  # fmt: skip
    search_fields = [
        "lrn",
        "mrn",
        "consignment__hawb",
        "consignment__consignee_name",
        "consignment__consignor_name",
    ]
    ordering = ["-risk_score", "submitted_at"]
    list_select_related = ["organisation", "consignment"]
    actions = [
        "release_selected", "hold_selected", "request_documents_selected",
        "refuse_selected",
        "invalidate_selected",
    ]  # fmt: skip
    inlines = [
        GoodsItemInline, ValidationIssueInline, ScreeningMatchInline,
        DocumentInline, StatusChangeInline,
    ]  # fmt: skip
    fieldsets = [
        (
            "Declaration",
            {
                "fields": [
                    "type",
                    "status",
                    "lrn",
                    "mrn",
                    "organisation",
                    "declarant_eori",
                    "risk_score",
                    "submitted_at",
                    "decided_at",
                    "invalidation_requested_at",
                    "invalidation_reason",
                ]
            },
        ),
        ("Transport", {"fields": ["mawb", "hawb", "flight"]}),
        ("Consignor", {"fields": ["consignor"]}),
        ("Consignee", {"fields": ["consignee_block"]}),
        ("Value and VAT", {"fields": ["vat_path", "ioss_number", "value_block"]}),
        ("Duty, VAT and fees", {"fields": ["computation_table"]}),
    ]
    # Officers read everything the declarant declared and change none of it.
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]
    change_form_template = "admin/declarations/declaration/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Declaration]:
        # Drafts are the declarant's own business until submitted.
        return (
            super()
            .get_queryset(request)
            .exclude(status=Status.DRAFT)
            .select_related("consignment__shipment", "organisation")
            .annotate(
                risk_reasons=StringAgg(
                    "issues__code",
                    delimiter=", ",
                    filter=Q(issues__risk_points__gt=0),
                    distinct=True,
                    default=Value(""),
                )
            )
        )

    @admin.display(description="why")
    def reasons(self, obj: Declaration) -> str:
        return obj.risk_reasons or "—"

    # Officers never edit what the declarant declared.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("declarations.decide_declaration")

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Declaration) -> str:
        return obj.get_status_display()

    @admin.display(description="type", ordering="type")
    def type_code(self, obj: Declaration) -> str:
        return obj.type

    @admin.display(description="house AWB", ordering="consignment__hawb")
    def hawb(self, obj: Declaration) -> str:
        return obj.consignment.hawb

    @admin.display(description="master AWB")
    def mawb(self, obj: Declaration) -> str:
        shipment = obj.consignment.shipment
        return shipment.mawb if shipment else "—"

    @admin.display(description="flight")
    def flight(self, obj: Declaration) -> str:
        s = obj.consignment.shipment
        if not s:
            return "—"
        route = f"{s.departure_airport} → {s.arrival_airport}"
        return f"{s.flight_number} {route} on {s.arrival_date}"

    @admin.display(description="consignee", ordering="consignment__consignee_name")
    def consignee(self, obj: Declaration) -> str:
        return obj.consignment.consignee_name

    @admin.display(description="consignor")
    def consignor(self, obj: Declaration) -> str:
        c = obj.consignment
        return format_html(
            "{}<br>{}<br>{} {} {}",
            c.consignor_name,
            c.consignor_address,
            c.consignor_postcode,
            c.consignor_city,
            c.consignor_country,
        )

    @admin.display(description="consignee")
    def consignee_block(self, obj: Declaration) -> str:
        c = obj.consignment
        return format_html(
            "{}<br>{}<br>{} {} {}<br>EORI {}",
            c.consignee_name,
            c.consignee_address,
            c.consignee_postcode,
            c.consignee_city,
            c.consignee_country,
            c.consignee_eori or "—",
        )

    @admin.display(description="value")
    def value_block(self, obj: Declaration) -> str:
        c = obj.consignment
        total = sum(item.item_value for item in obj.items.all())
        return format_html(
            "Goods {} {} · transport {} · insurance {} · gross mass {} kg · "
            "{} package(s)",
            total,
            c.currency,
            c.transport_cost,
            c.insurance_cost,
            c.gross_mass_kg,
            c.packages,
        )

    @admin.display(description="computation")
    def computation_table(self, obj: Declaration) -> str:
        return render_to_string("declarations/_computation.html", {"declaration": obj})

    # Decisions: each asks for the reason the declarant will read.
    # One action per officer decision; each asks for the reason first.
    release_selected = _decision_action("release")
    hold_selected = _decision_action("hold")
    request_documents_selected = _decision_action("request_documents")
    refuse_selected = _decision_action("refuse")
    invalidate_selected = _decision_action("invalidate")

    def _decide(
        self, request: HttpRequest, queryset: QuerySet, decision: str
    ) -> HttpResponse | None:
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for declaration in queryset:
                try:
                    declaration_decide(
                        declaration=declaration,
                        decision=decision,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        documents=form.cleaned_data["documents"],
                    )
                    done += 1
                except (ApplicationError, ValidationError, PermissionDenied) as exc:
                    refused.append(f"{declaration}: {_message(exc)}")
            if done:
                self.message_user(
                    request,
                    f"{done} declaration(s) {_PAST[decision]}.",
                    messages.SUCCESS,
                )
            for line in refused:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/declarations/decision.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{_TITLE[decision]}: {queryset.count()} declaration(s)",
                "decision": decision,
                "declarations": queryset,
                "form": form,
                "action": f"{decision}_selected",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="declarations_declaration_decide",
            ),
        ] + super().get_urls()

    def decide_view(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        """The same decision from a declaration's own page."""
        if decision not in OFFICER_DECISIONS or not self.has_decide_permission(request):
            raise PermissionDenied
        declaration = self.get_object(request, str(pk))
        if declaration is None:
            return self._get_obj_does_not_exist_redirect(
                request, self.model._meta, str(pk)
            )
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                declaration_decide(
                    declaration=declaration,
                    decision=decision,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    documents=form.cleaned_data["documents"],
                )
                self.message_user(
                    request, f"{declaration} {_PAST[decision]}.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:declarations_declaration_changelist")
                )
            except (ApplicationError, ValidationError) as exc:
                form.add_error(None, _message(exc))
        return TemplateResponse(
            request,
            "admin/declarations/decision.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{_TITLE[decision]}: declaration {declaration}",
                "decision": decision,
                "declarations": [declaration],
                "form": form,
                "opts": self.model._meta,
                "single": True,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["decisions"] = (
            [(d, _TITLE[d]) for d in OFFICER_DECISIONS]
            if self.has_decide_permission(request)
            else ()
        )
        return super().change_view(request, object_id, form_url, extra_context)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    """Dated overrides of the rule book (superusers)."""

    list_display = ["code", "enabled", "severity", "applies_from", "applies_to",
                    "updated_at"]  # fmt: skip
    search_fields = ["code", "note"]


@admin.register(UnitValueReference)
class UnitValueReferenceAdmin(admin.ModelAdmin):
    list_display = ["hs_code", "unit_value_eur", "sample_size", "source", "updated_at"]
    list_filter = ["source"]
    search_fields = ["hs_code"]
