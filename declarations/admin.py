"""The customs officer's workbench in the Django admin: the risk-ordered queue,
the declaration on one screen, assignment, decisions and the dashboard."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from accounts.models import Organisation
from declarations.document_files import INLINE_TYPES, document_file_response
from declarations.forms import ClearanceForm, DecisionForm
from declarations.models import (
    DECIDABLE_STATUSES,
    Declaration,
    Document,
    GoodsItem,
    RuleSetting,
    ScreeningClearance,
    ScreeningMatch,
    Status,
    UnitValueReference,
    ValidationIssue,
)
from declarations.rules import rule_list
from declarations.selectors_officer import (
    DOCUMENTS_MISSING,
    REASON_LABELS,
    dashboard_daily_status,
    dashboard_decision_times,
    dashboard_rejection_rules,
    dashboard_screening_hits,
    declaration_history,
    reason_labels,
)
from declarations.services.assignment import (
    declaration_assign,
    declaration_unassign,
    officer_name,
)
from declarations.services.filing import ITEM_FIELDS
from declarations.services.lifecycle import (
    BULK_RELEASE_MAX_RISK,
    OFFICER_DECISIONS,
    SANCTIONS_CODE,
    declaration_decide,
    flight_release_candidates,
    flight_release_low_risk,
    release_awaits_second_officer,
)
from declarations.services.screening import (
    clearance_state,
    screening_clearance_withdraw,
    screening_match_clear,
)
from shipments.models import Manifest, Shipment


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
    fields = ["line", *ITEM_FIELDS]
    readonly_fields = fields


class ValidationIssueInline(ReadOnlyInline):
    model = ValidationIssue
    fields = ["severity", "code", "reason_label", "risk_points", "item", "field",
              "message"]  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = _("Rule book findings")

    @admin.display(description=_("finding"))
    def reason_label(self, obj: ValidationIssue) -> str:
        return str(REASON_LABELS.get(obj.code, "—"))


def listed_entry_html(match: ScreeningMatch) -> str:
    """The listed entry a match is about, as officers need it: name, list,
    reference, aliases, addresses, programmes and remarks."""
    entry = match.entry
    parts = [
        format_html(
            "<strong>{}</strong> · {} {} · {}",
            match.listed_name,
            match.source,
            match.external_id,
            match.kind,
        )
    ]
    if entry is not None:
        parts.append(
            format_html("{} {}", _g("List of"), date_format(entry.list.published_on))
        )
        if entry.reference:
            parts.append(format_html("{}: {}", _g("Reference"), entry.reference))
        aliases = "; ".join(a.name for a in entry.aliases.all())
        if aliases:
            parts.append(format_html("{}: {}", _g("Aliases"), aliases))
        if entry.addresses:
            addresses = "; ".join(entry.addresses.splitlines())
            parts.append(format_html("{}: {}", _g("Addresses"), addresses))
    parts.append(format_html("{}: {}", _g("Programmes"), match.programmes or "—"))
    if entry is not None and entry.remarks:
        parts.append(format_html("{}: {}", _g("Remarks"), entry.remarks))
    return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts))


class ScreeningMatchInline(ReadOnlyInline):
    """What an officer needs to tell a namesake from the listed party: the name
    that matched and its score, and the listed entry with its aliases,
    addresses, programmes and remarks."""

    model = ScreeningMatch
    fields = ["party", "screened_name", "matched_name", "score", "listed_entry",
              "clearance"]  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = _("Sanctions screening matches")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningMatch]:
        return (
            super()
            .get_queryset(request)
            .select_related("entry__list")
            .prefetch_related("entry__aliases")
        )

    @admin.display(description=_("listed entry"))
    def listed_entry(self, obj: ScreeningMatch) -> str:
        return listed_entry_html(obj)

    @admin.display(description=_("namesake?"))
    def clearance(self, obj: ScreeningMatch) -> str:
        if obj.entry_id is None:
            return "—"
        url = reverse(
            "admin:declarations_declaration_clear_match",
            args=[obj.declaration_id, obj.pk],
        )
        return format_html('<a href="{}">{}</a>', url, _g("Clear as a namesake…"))


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["kind", "file_link", "outcome", "content_type", "findings",
              "created_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj: Document) -> str:
        url = document_url(obj, download=True)
        return format_html('<a href="{}">{} ({})</a>', url, obj.original_name,
                           _g("download"))  # fmt: skip

    @admin.display(description=_("findings"))
    def findings(self, obj: Document) -> str:
        parts = list(obj.problems) + list(obj.warnings)
        if obj.invoice_total is not None:
            parts.append(f"Invoice total {obj.invoice_currency} {obj.invoice_total} "
                         f"({obj.invoice_source})")  # fmt: skip
        return "; ".join(parts) or "—"


def document_url(document: Document, *, download: bool = False) -> str:
    url = reverse(
        "admin:declarations_declaration_document",
        args=[document.declaration_id, document.pk],
    )
    return f"{url}?download=1" if download else url


# The queue's filters.


class AwaitingDecisionFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Awaiting a decision")),
            ("second", _("Release awaiting a second officer")),
            ("invalidation", _("Invalidation requested")),
            ("all", _("All submitted")),
        ]

    def queryset(self, request, queryset):
        if self.value() in (None, "open"):
            return queryset.filter(status__in=DECIDABLE_STATUSES)
        if self.value() == "second":
            return queryset.filter(
                status__in=DECIDABLE_STATUSES, release_proposed_by__isnull=False
            )
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


class RiskReasonFilter(admin.SimpleListFilter):
    title = _("risk reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [*REASON_LABELS.items(), (DOCUMENTS_MISSING, _("Documents missing"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == DOCUMENTS_MISSING:
            return queryset.filter(status=Status.DOCUMENTS_REQUESTED)
        if value in REASON_LABELS:
            found = ValidationIssue.objects.filter(
                declaration=OuterRef("pk"), code=value
            )
            if value == SANCTIONS_CODE:
                return queryset.filter(
                    Exists(found)
                    | Exists(ScreeningMatch.objects.filter(declaration=OuterRef("pk")))
                )
            return queryset.filter(Exists(found))
        return queryset


class AgeFilter(admin.SimpleListFilter):
    """How long ago the declaration was submitted."""

    title = _("submitted")
    parameter_name = "age"
    # (lookup, label, at least, less than) in hours.
    BANDS = [
        ("lt1h", _("less than 1 hour ago"), None, 1),
        ("1-4h", _("1 to 4 hours ago"), 1, 4),
        ("4-24h", _("4 to 24 hours ago"), 4, 24),
        ("gt24h", _("more than 24 hours ago"), 24, None),
    ]

    def lookups(self, request, model_admin):
        return [(key, label) for key, label, _low, _high in self.BANDS]

    def queryset(self, request, queryset):
        now = timezone.now()
        for key, _label, low, high in self.BANDS:
            if self.value() == key:
                if low is not None:
                    queryset = queryset.filter(
                        submitted_at__lte=now - timedelta(hours=low)
                    )
                if high is not None:
                    queryset = queryset.filter(
                        submitted_at__gt=now - timedelta(hours=high)
                    )
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned officer")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [
            ("me", _("Me")),
            ("none", _("Unassigned")),
            ("others", _("Other officers")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_to__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assigned_to__isnull=True).exclude(
                assigned_to=request.user
            )
        return queryset


class FlightFilter(admin.SimpleListFilter):
    """One shipment: a master AWB on one flight (the flights with declarations
    awaiting a decision, latest arrival first)."""

    title = _("flight (master AWB)")
    parameter_name = "shipment"

    def lookups(self, request, model_admin):
        shipments = (
            Shipment.objects.filter(
                Exists(
                    Declaration.objects.filter(
                        consignment__shipment=OuterRef("pk"),
                        status__in=DECIDABLE_STATUSES,
                    )
                )
            )
            .order_by("-arrival_date", "flight_number", "mawb")
            .values_list("pk", "flight_number", "arrival_date", "mawb")[:100]
        )
        return [
            (str(pk), f"{flight or '—'} {arrival or ''} · {mawb or '—'}")
            for pk, flight, arrival, mawb in shipments
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(consignment__shipment_id=self.value())
        return queryset


class ArrivalFilter(admin.SimpleListFilter):
    title = _("flight arrival")
    parameter_name = "arrival"

    def lookups(self, request, model_admin):
        return [
            ("today", _("Today")),
            ("yesterday", _("Yesterday")),
            ("week", _("Last 7 days")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        field = "consignment__shipment__arrival_date"
        if self.value() == "today":
            return queryset.filter(**{field: today})
        if self.value() == "yesterday":
            return queryset.filter(**{field: today - timedelta(days=1)})
        if self.value() == "week":
            return queryset.filter(
                **{f"{field}__gt": today - timedelta(days=7), f"{field}__lte": today}
            )
        return queryset


class DeclarantFilter(admin.SimpleListFilter):
    """The declarant's organisation, among those that have submitted any."""

    title = _("declarant")
    parameter_name = "organisation"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in Organisation.objects.filter(
                Exists(
                    Declaration.objects.filter(organisation=OuterRef("pk")).exclude(
                        status=Status.DRAFT
                    )
                )
            )
            .order_by("name")
            .values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organisation_id=self.value())
        return queryset


class ManifestFilter(admin.SimpleListFilter):
    title = _("manifest")
    parameter_name = "manifest"

    def lookups(self, request, model_admin):
        manifests = (
            Manifest.objects.filter(
                Exists(
                    Declaration.objects.filter(
                        manifest=OuterRef("pk"), status__in=DECIDABLE_STATUSES
                    )
                )
            )
            .order_by("-pk")
            .values_list("pk", "original_name")[:50]
        )
        return [(str(pk), f"#{pk} {name}") for pk, name in manifests]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(manifest_id=self.value())
        return queryset


_TITLE = {
    "release": _("Release"),
    "hold": _("Hold"),
    "request_documents": _("Request documents"),
    "refuse": _("Refuse"),
    "invalidate": _("Invalidate"),
}


_PAST = {
    "release": _("released"),
    "hold": _("held"),
    "request_documents": _("asked for documents"),
    "refuse": _("refused"),
    "invalidate": _("invalidated"),
}


def _decision_action(decision: str):
    """An admin action that takes `decision` on the selected declarations."""

    def action(modeladmin, request: HttpRequest, queryset: QuerySet):
        return modeladmin._decide(request, queryset, decision)

    action.__name__ = f"{decision}_selected"
    return admin.action(
        # Lazy: the admin shows it in the officer's language, not the import's.
        description=format_lazy(
            _("{decision}: selected declarations"), decision=_TITLE[decision]
        ),
        permissions=["decide"],
    )(action)


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "risk_score", "reasons", "status_badge", "type_code", "hawb",
        "flight_short", "organisation", "consignee", "age", "assigned",
    ]  # fmt: skip
    list_display_links = ["__str__"]
    list_filter = [AwaitingDecisionFilter, AssignedFilter, RiskReasonFilter,
                   AgeFilter, FlightFilter, ArrivalFilter, ManifestFilter,
                   DeclarantFilter, "status", "type"]  # fmt: skip
    search_fields = [
        "lrn",
        "mrn",
        "consignment__hawb",
        "consignment__consignee_name",
        "consignment__consignor_name",
        "organisation__name",
        "consignment__shipment__mawb",
        "consignment__shipment__flight_number",
    ]
    search_help_text = _(
        "House AWB, MRN, LRN, master AWB, flight number, consignee, consignor or "
        "declarant name."
    )
    ordering = ["-risk_score", "submitted_at"]
    list_select_related = ["organisation", "consignment__shipment", "assigned_to",
                           "release_proposed_by"]  # fmt: skip
    list_per_page = 50
    actions = [
        "assign_to_me", "take_over", "release_selected", "hold_selected",
        "request_documents_selected", "refuse_selected", "invalidate_selected",
        "release_low_risk_of_flight",
    ]  # fmt: skip
    inlines = [
        GoodsItemInline, ValidationIssueInline, ScreeningMatchInline, DocumentInline,
    ]  # fmt: skip
    fieldsets = [
        (
            _("Declaration"),
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
        (_("Transport"), {"fields": ["mawb", "hawb", "flight"]}),
        (_("Consignor"), {"fields": ["consignor"]}),
        (_("Consignee"), {"fields": ["consignee_block"]}),
        (
            _("Value and VAT"),
            {"fields": ["vat_path", "ioss_number", "value_block"]},
        ),
        (_("Duty, VAT and fees"), {"fields": ["computation_table"]}),
    ]
    # Officers read everything the declarant declared and change none of it.
    readonly_fields = [f for _name, options in fieldsets for f in options["fields"]]
    change_form_template = "admin/declarations/declaration/change_form.html"
    change_list_template = "admin/declarations/declaration/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Declaration]:
        # Drafts are the declarant's own business until submitted.
        return (
            super()
            .get_queryset(request)
            .exclude(status=Status.DRAFT)
            .select_related(
                "consignment__shipment",
                "organisation",
                "assigned_to",
                "release_proposed_by",
            )
            .annotate(
                risk_reasons=StringAgg(
                    "issues__code",
                    delimiter=", ",
                    filter=Q(issues__risk_points__gt=0),
                    distinct=True,
                    default=Value(""),
                ),
                screening_hit=Exists(
                    ScreeningMatch.objects.filter(declaration=OuterRef("pk"))
                ),
            )
        )

    @admin.display(description=_("why"))
    def reasons(self, obj: Declaration) -> str:
        labels = reason_labels(obj.risk_reasons)
        if obj.screening_hit and str(REASON_LABELS[SANCTIONS_CODE]) not in labels:
            labels.insert(0, str(REASON_LABELS[SANCTIONS_CODE]))
        if obj.status == Status.DOCUMENTS_REQUESTED:
            labels.append(_g("Documents missing"))
        if not labels:
            return "—"
        return format_html_join(", ", "<span title=\"{}\">{}</span>",
                                ((label, label) for label in labels))  # fmt: skip

    # Officers never edit what the declarant declared.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("declarations.decide_declaration")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Declaration) -> str:
        if release_awaits_second_officer(obj):
            return format_html(
                "{}<br><strong>{}</strong>",
                obj.get_status_display(),
                _g("Release proposed by %(officer)s, awaiting a second officer")
                % {"officer": officer_name(obj.release_proposed_by)},
            )
        return obj.get_status_display()

    @admin.display(description=_("type"), ordering="type")
    def type_code(self, obj: Declaration) -> str:
        return obj.type

    @admin.display(description=_("house AWB"), ordering="consignment__hawb")
    def hawb(self, obj: Declaration) -> str:
        return obj.consignment.hawb

    @admin.display(description=_("master AWB"))
    def mawb(self, obj: Declaration) -> str:
        shipment = obj.consignment.shipment
        return shipment.mawb if shipment else "—"

    @admin.display(description=_("flight"))
    def flight(self, obj: Declaration) -> str:
        s = obj.consignment.shipment
        if not s:
            return "—"
        route = f"{s.departure_airport} → {s.arrival_airport}"
        return f"{s.flight_number} {route} on {s.arrival_date}"

    @admin.display(
        description=_("flight"), ordering="consignment__shipment__arrival_date"
    )
    def flight_short(self, obj: Declaration) -> str:
        s = obj.consignment.shipment
        if not s:
            return "—"
        return f"{s.flight_number or '—'} {s.arrival_date or ''}".strip()

    @admin.display(description=_("consignee"), ordering="consignment__consignee_name")
    def consignee(self, obj: Declaration) -> str:
        return obj.consignment.consignee_name

    @admin.display(description=_("waiting"), ordering="submitted_at")
    def age(self, obj: Declaration) -> str:
        if not obj.submitted_at:
            return "—"
        minutes = int((timezone.now() - obj.submitted_at).total_seconds() // 60)
        if minutes < 60:
            return _g("%(n)d min") % {"n": minutes}
        if minutes < 48 * 60:
            return _g("%(n)d h") % {"n": minutes // 60}
        return _g("%(n)d days") % {"n": minutes // (24 * 60)}

    @admin.display(description=_("assigned to"), ordering="assigned_to")
    def assigned(self, obj: Declaration) -> str:
        return officer_name(obj.assigned_to) if obj.assigned_to_id else "—"

    @admin.display(description=_("consignor"))
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

    @admin.display(description=_("consignee"))
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

    @admin.display(description=_("value"))
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

    @admin.display(description=_("computation"))
    def computation_table(self, obj: Declaration) -> str:
        return render_to_string("declarations/_computation.html", {"declaration": obj})

    # Assignment.

    @admin.action(description=_("Assign to me"), permissions=["decide"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._assign(request, queryset, take_over=False)

    @admin.action(
        description=_("Take over (assign to me even if another officer has it)"),
        permissions=["decide"],
    )
    def take_over(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._assign(request, queryset, take_over=True)

    def _assign(self, request: HttpRequest, queryset: QuerySet, take_over: bool):
        done = 0
        for declaration in queryset:
            try:
                declaration_assign(
                    declaration=declaration, by=request.user, take_over=take_over
                )
                done += 1
            except (ApplicationError, PermissionDenied) as exc:
                self.message_user(request, _message(exc), messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(n)d declaration assigned to you.",
                    "%(n)d declarations assigned to you.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )

    def assign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The declaration page's Assign to me / Take over / Give back buttons."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        declaration = self.get_object(request, str(pk))
        if declaration is None:
            raise Http404
        try:
            if request.POST.get("choice") == "unassign":
                declaration_unassign(declaration=declaration, by=request.user)
                self.message_user(
                    request, _g("%(d)s is back in the queue.") % {"d": declaration}
                )
            else:
                declaration_assign(
                    declaration=declaration,
                    by=request.user,
                    take_over=request.POST.get("choice") == "take_over",
                )
                self.message_user(
                    request,
                    _g("%(d)s is assigned to you.") % {"d": declaration},
                    messages.SUCCESS,
                )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:declarations_declaration_change", args=[pk])
        )

    # Decisions: each asks for the reason the declarant will read.
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
            done, proposed, refused = 0, 0, []
            for declaration in queryset:
                try:
                    result = declaration_decide(
                        declaration=declaration,
                        decision=decision,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        documents=form.cleaned_data["documents"],
                    )
                    if decision == "release" and result.status != Status.RELEASED:
                        proposed += 1
                    else:
                        done += 1
                except (ApplicationError, ValidationError, PermissionDenied) as exc:
                    refused.append(f"{declaration}: {_message(exc)}")
            if done:
                self.message_user(
                    request,
                    _g("%(n)d declaration(s) %(past)s.")
                    % {"n": done, "past": _PAST[decision]},
                    messages.SUCCESS,
                )
            if proposed:
                self.message_user(
                    request,
                    _g(
                        "%(n)d declaration(s) with a sanctions hit: release proposed, "
                        "awaiting a second officer."
                    )
                    % {"n": proposed},
                    messages.WARNING,
                )
            for line in refused:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/declarations/decision.html",
            {
                **self.admin_site.each_context(request),
                "title": _g("%(decision)s: %(n)d declaration(s)")
                % {"decision": _TITLE[decision], "n": queryset.count()},
                "decision": decision,
                "decision_title": _TITLE[decision],
                "declarations": queryset,
                "form": form,
                "action": f"{decision}_selected",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Release the low-risk declarations of this flight"),
        permissions=["decide"],
    )
    def release_low_risk_of_flight(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        """Every decidable declaration of the selected declarations' one shipment
        (master AWB on one flight) with risk score 0 and no sanctions hit."""
        shipments = set(queryset.values_list("consignment__shipment_id", flat=True))
        if len(shipments) != 1 or None in shipments:
            self.message_user(
                request,
                _g(
                    "Select declarations of exactly one flight (one master AWB): "
                    "the selection spans %(n)d. Filter the queue by flight first."
                )
                % {"n": len(shipments - {None}) + (None in shipments)},
                messages.ERROR,
            )
            return None
        shipment = Shipment.objects.get(pk=shipments.pop())
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                released, skipped = flight_release_low_risk(
                    shipment_id=shipment.pk,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    confirmed=[
                        int(pk)
                        for pk in request.POST.getlist("confirmed")
                        if pk.isdigit()
                    ],
                )
            except (ApplicationError, ValidationError, PermissionDenied) as exc:
                self.message_user(request, _message(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                _g("Flight %(flight)s: %(n)d declaration(s) released, %(k)d left.")
                % {"flight": shipment, "n": len(released), "k": len(skipped)},
                messages.SUCCESS,
            )
            return None
        release, skip = flight_release_candidates(
            shipment_id=shipment.pk, by=request.user
        )
        return TemplateResponse(
            request,
            "admin/declarations/bulk_release.html",
            {
                **self.admin_site.each_context(request),
                "title": _g("Release the low-risk declarations of flight %(f)s")
                % {"f": shipment},
                "shipment": shipment,
                "release": release,
                "skip": skip,
                "max_risk": BULK_RELEASE_MAX_RISK,
                "form": form,
                "selected": queryset.values_list("pk", flat=True),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "dashboard/",
                view(self.dashboard_view),
                name="declarations_declaration_dashboard",
            ),
            path(
                "rules/",
                view(self.rule_book_view),
                name="declarations_declaration_rules",
            ),
            path(
                "<int:pk>/decide/<str:decision>/",
                view(self.decide_view),
                name="declarations_declaration_decide",
            ),
            path(
                "<int:pk>/assign/",
                view(require_POST(self.assign_view)),
                name="declarations_declaration_assign",
            ),
            path(
                "<int:pk>/matches/<int:match_pk>/clear/",
                view(self.clear_match_view),
                name="declarations_declaration_clear_match",
            ),
            path(
                "<int:pk>/documents/<int:document_pk>/",
                view(xframe_options_sameorigin(self.document_view)),
                name="declarations_declaration_document",
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
                result = declaration_decide(
                    declaration=declaration,
                    decision=decision,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    documents=form.cleaned_data["documents"],
                )
                if decision == "release" and result.status != Status.RELEASED:
                    self.message_user(
                        request,
                        _g(
                            "%(d)s has a sanctions hit: your release is recorded as "
                            "a proposal. A second officer must release it."
                        )
                        % {"d": declaration},
                        messages.WARNING,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:declarations_declaration_change", args=[pk])
                    )
                self.message_user(
                    request,
                    _g("%(d)s %(past)s.") % {"d": declaration, "past": _PAST[decision]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:declarations_declaration_changelist")
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, _message(exc))
            except ApplicationError as exc:
                form.add_error(None, _message(exc))
        return TemplateResponse(
            request,
            "admin/declarations/decision.html",
            {
                **self.admin_site.each_context(request),
                "title": _g("%(decision)s: declaration %(d)s")
                % {"decision": _TITLE[decision], "d": declaration},
                "decision": decision,
                "decision_title": _TITLE[decision],
                "declarations": [declaration],
                "form": form,
                "opts": self.model._meta,
                "single": True,
            },
        )

    def clear_match_view(
        self, request: HttpRequest, pk: int, match_pk: int
    ) -> HttpResponse:
        """Record that a matched party is a namesake, not the listed party."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        match = get_object_or_404(
            ScreeningMatch.objects.select_related("entry__list", "declaration"),
            pk=match_pk,
            declaration_id=pk,
        )
        form = ClearanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                screening_match_clear(
                    match=match, by=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, ApplicationError) as exc:
                form.add_error(None, _message(exc))
            else:
                self.message_user(
                    request,
                    _g(
                        "%(name)s is remembered as a namesake of %(source)s entry "
                        "%(entry)s: screening no longer raises it for that entry "
                        "while the entry reads the same."
                    )
                    % {
                        "name": match.screened_name,
                        "source": match.source,
                        "entry": match.external_id,
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:declarations_declaration_change", args=[pk])
                )
        return TemplateResponse(
            request,
            "admin/declarations/clear_match.html",
            {
                **self.admin_site.each_context(request),
                "title": _g("Clear a screening match as a namesake"),
                "match": match,
                "entry": listed_entry_html(match),
                "form": form,
                "opts": self.model._meta,
                "declaration": match.declaration,
            },
        )

    def document_view(
        self, request: HttpRequest, pk: int, document_pk: int
    ) -> FileResponse:
        """A declaration's document, shown inline to officers (PDFs and images)
        or downloaded. Only officers who may view declarations reach it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(
            Document.objects.exclude(declaration__status=Status.DRAFT),
            pk=document_pk,
            declaration_id=pk,
        )
        return document_file_response(document, download="download" in request.GET)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        declaration = self.get_object(request, object_id)
        if declaration is not None:
            extra_context |= self._workbench_context(request, declaration)
        return super().change_view(request, object_id, form_url, extra_context)

    def _workbench_context(self, request: HttpRequest, declaration) -> dict:
        can_decide = self.has_decide_permission(request)
        decidable = declaration.status in DECIDABLE_STATUSES
        documents = [
            {
                "document": d,
                "url": document_url(d),
                "download_url": document_url(d, download=True),
                "is_pdf": d.content_type == "application/pdf",
                "is_image": d.content_type in INLINE_TYPES
                and d.content_type.startswith("image/"),
            }
            for d in declaration.documents.all()
        ]
        holder = declaration.assigned_to
        return {
            "decisions": (
                [(d, _TITLE[d]) for d in OFFICER_DECISIONS] if can_decide else ()
            ),
            "can_assign": can_decide and decidable,
            "assigned_to_name": officer_name(holder) if holder else "",
            "assigned_to_me": holder is not None and holder.pk == request.user.pk,
            "awaiting_second": release_awaits_second_officer(declaration),
            "proposer_name": officer_name(declaration.release_proposed_by),
            "proposed_by_me": declaration.release_proposed_by_id == request.user.pk,
            "declaration": declaration,
            "documents_preview": documents,
            "history": declaration_history(declaration),
        }

    # The rule book.

    def rule_book_view(self, request: HttpRequest) -> HttpResponse:
        """Every rule the portal judges by, as in force now (RuleSetting overrides
        applied), with its legal source; the charge lines and territories that
        pricing and the territory rules read."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        from declarations.facts import rule_settings
        from declarations.rules.base import OFFICE_OF_IMPORT_COUNTRY
        from reference.charges import charge_lines_in_force
        from reference.territories import territories

        settings_now = rule_settings()
        rules = [
            {**rule, "overridden": rule["code"] in settings_now}
            for rule in rule_list(settings_now)
        ]
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "title": _g("Rule book"),
            "opts": self.model._meta,
            "rules": rules,
            "threshold": settings.REVIEW_RISK_THRESHOLD,
            "charge_lines": charge_lines_in_force(
                on=today, country=OFFICE_OF_IMPORT_COUNTRY
            ),
            "today": today,
            "territories": territories(),
        }
        return TemplateResponse(
            request, "admin/declarations/declaration/rule_book.html", context
        )

    # The dashboard.

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        """The officers' workload: daily declarations by status, time to a
        decision, top rejection rules, screening hits."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        from portal import charts

        days, series = dashboard_daily_status(days=14)
        times = dashboard_decision_times(days=30)
        rules = dashboard_rejection_rules(days=30)
        hits = dashboard_screening_hits(days=30)
        day_labels = [d.strftime("%d %b") for d in days]
        context = {
            **self.admin_site.each_context(request),
            "title": _g("Officer dashboard"),
            "opts": self.model._meta,
            "days": days,
            "series": series,
            "times": {
                "decided": times["decided"],
                "median": _hours(times["median"]),
                "p90": _hours(times["p90"]),
            },
            "rules": rules,
            "hits": hits,
            "daily_chart": charts.stacked_bar_chart(
                _g("Declarations submitted per day, by status now"),
                day_labels,
                series,
            ),
            "rules_chart": charts.bar_chart(
                _g("Rules most often failed by rejected declarations"),
                [r["code"] for r in rules],
                [r["declarations"] for r in rules],
            ),
            "hits_chart": charts.bar_chart(
                _g("Sanctions screening hits by kind of listed entry"),
                [h["kind"] or "—" for h in hits],
                [h["hits"] for h in hits],
            ),
        }
        return TemplateResponse(
            request, "admin/declarations/declaration/dashboard.html", context
        )


def _hours(duration: timedelta | None) -> str:
    if duration is None:
        return "—"
    hours = duration.total_seconds() / 3600
    return _g("%(h).1f h") % {"h": hours}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


@admin.register(ScreeningClearance)
class ScreeningClearanceAdmin(admin.ModelAdmin):
    """Officers' namesake findings: whether each still applies, or must be
    reviewed because its listed entry changed."""

    list_display = ["party_name", "country", "source", "external_id", "state",
                    "cleared_by", "cleared_at", "withdrawn_at"]  # fmt: skip
    list_filter = ["source", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["party_name", "external_id", "reason"]
    list_select_related = ["cleared_by"]
    fields = ["party_name", "country", "address_key", "source", "external_id",
              "state", "entry", "declaration", "reason", "cleared_by",
              "cleared_at", "withdrawn_by", "withdrawn_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["withdraw"]

    @admin.display(description=_("state"))
    def state(self, obj: ScreeningClearance) -> str:
        return clearance_state(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # given from a match on a declaration's page

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the record of who cleared whom stays

    @admin.action(
        description=_("Withdraw: screen these parties again"),
        permissions=["view"],
    )
    def withdraw(self, request: HttpRequest, queryset) -> None:
        for clearance in queryset:
            try:
                screening_clearance_withdraw(clearance=clearance, by=request.user)
            except PermissionDenied as exc:
                self.message_user(request, _message(exc), messages.ERROR)
                return
        self.message_user(request, _g("Withdrawn."), messages.SUCCESS)


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


# The admin index links to the officers' dashboard.
admin.site.index_template = "admin/portal_index.html"
