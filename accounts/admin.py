"""Admin for organisations (and the operator's EORI decisions), members, API
keys, webhooks and the audit log."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from accounts import webhooks
from accounts.eori import eori_fails
from accounts.errors import ApplicationError
from accounts.models import (
    ApiKey,
    AuditEntry,
    Membership,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
)
from accounts.services_verification import (
    organisation_eori_refuse,
    organisation_eori_verify,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


def contested_eoris() -> QuerySet:
    """EORIs that more than one organisation claims."""
    return (
        Organisation.objects.exclude(eori="")
        .values("eori")
        .annotate(claims=Count("pk"))
        .filter(claims__gt=1)
        .values("eori")
    )


class CompetingClaimsFilter(admin.SimpleListFilter):
    title = _("competing EORI claims")
    parameter_name = "competing"

    def lookups(self, request, model_admin):
        return [("yes", _("EORI claimed by several organisations"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(eori__in=contested_eoris())
        return queryset


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("e-mail confirmed")
    parameter_name = "email_confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


class EoriDecisionForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "What you checked, so that another operator can follow it: e.g. the "
            "EU EORI validation service's answer (name, address), the EORI "
            "certificate received, a call to the company's published number."
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The operator verifies a trader's EORI here, or refuses the claim; EORIs
    that several organisations claim are listed with their rivals."""

    list_display = [
        "name",
        "slug",
        "kind",
        "eori",
        "eori_status",
        "email_confirmed",
        "claims",
        "eori_flagged",
        "screening",
        "created_at",
    ]
    list_filter = [
        "eori_status",
        CompetingClaimsFilter,
        EmailConfirmedFilter,
        "eori_flagged",
        "kind",
    ]
    search_fields = [
        "name",
        "slug",
        "eori",
        "eori_evidence",
        "memberships__user__email",
    ]
    inlines = [MembershipInline]
    actions = ["verify_eori", "refuse_eori"]
    readonly_fields = [
        "eori_flagged",
        "email_verified_at",
        "eori_status",
        "eori_checked_at",
        "eori_checked_by",
        "eori_evidence",
        "competing_claims",
        "screened_at",
        "screening_hits",
    ]

    def save_model(self, request, obj, form, change) -> None:
        # The EORI field's validator has checked the corrected number: the flag
        # follows it. A corrected number is one nobody has verified yet, so the
        # organisation waits for the operator's check again (the admin's own
        # history records who changed it).
        obj.eori_flagged = eori_fails(obj.eori)
        if change and "eori" in form.changed_data:
            obj.eori_status = Organisation.EoriStatus.PENDING
            obj.eori_evidence = _(
                "EORI corrected from %(old)s in the admin by %(who)s: verify again."
            ) % {"old": form.initial.get("eori", ""), "who": request.user}
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and obj.eori_status == Organisation.EoriStatus.VERIFIED
            and not obj.eori_flagged
        ):
            # Changing a verified EORI would carry the verification to a number
            # nobody checked (a flagged one is corrected, then verified again).
            fields.append("eori")
        return fields

    @admin.display(description=_("e-mail confirmed"), boolean=True)
    def email_confirmed(self, obj: Organisation) -> bool:
        return obj.email_verified_at is not None

    @admin.display(description=_("claims of this EORI"))
    def claims(self, obj: Organisation) -> int | str:
        if not obj.eori:
            return "—"
        return Organisation.objects.filter(eori=obj.eori).count()

    @admin.display(description=_("screening"))
    def screening(self, obj: Organisation) -> str:
        if obj.screened_at is None:
            return "—"
        if obj.screening_hits:
            return _g("%(n)d possible match(es)") % {"n": len(obj.screening_hits)}
        return _g("no match")

    @admin.display(description=_("other organisations claiming this EORI"))
    def competing_claims(self, obj: Organisation) -> str:
        if not obj.eori:
            return "—"
        rivals = Organisation.objects.filter(eori=obj.eori).exclude(pk=obj.pk)
        if not rivals:
            return _g("none")
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> ({}, {}, {})</p>',
            (
                (
                    reverse("admin:accounts_organisation_change", args=[r.pk]),
                    r.name,
                    r.get_eori_status_display(),
                    _g("signed up %(date)s")
                    % {"date": r.created_at.strftime("%Y-%m-%d")},
                    _g("e-mail confirmed")
                    if r.email_verified_at
                    else _g("e-mail not confirmed"),
                )
                for r in rivals
            ),
        )

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.verify_organisation")

    def _eori_decision(
        self, request: HttpRequest, queryset: QuerySet, decision: str
    ) -> HttpResponse | None:
        form = EoriDecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            service = (
                organisation_eori_verify
                if decision == "verify"
                else organisation_eori_refuse
            )
            done = 0
            for organisation in queryset:
                try:
                    if decision == "verify":
                        service(
                            organisation=organisation,
                            by=request.user,
                            evidence=form.cleaned_data["evidence"],
                        )
                    else:
                        service(
                            organisation=organisation,
                            by=request.user,
                            note=form.cleaned_data["evidence"],
                        )
                    done += 1
                except ApplicationError as exc:
                    self.message_user(
                        request, f"{organisation}: {exc.message}", messages.ERROR
                    )
            if done:
                self.message_user(
                    request,
                    (
                        _g("%(n)d organisation(s) verified.")
                        if decision == "verify"
                        else _g("%(n)d claim(s) refused.")
                    )
                    % {"n": done},
                    messages.SUCCESS,
                )
            return None
        organisations = list(queryset)
        for organisation in organisations:
            organisation.rivals = list(
                Organisation.objects.filter(eori=organisation.eori)
                .exclude(pk=organisation.pk)
                .exclude(eori="")
            )
        title = (
            _g("Verify the EORI of %(n)d organisation(s)")
            if decision == "verify"
            else _g("Refuse the EORI claim of %(n)d organisation(s)")
        ) % {"n": len(organisations)}
        return TemplateResponse(
            request,
            "admin/accounts/eori_decision.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "organisations": organisations,
                "decision": decision,
                "form": form,
                "action": f"{decision}_eori",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Verify the EORI of the selected organisations"),
        permissions=["verify"],
    )
    def verify_eori(self, request, queryset):
        return self._eori_decision(request, queryset, "verify")

    @admin.action(
        description=_("Refuse the EORI claim of the selected organisations"),
        permissions=["verify"],
    )
    def refuse_eori(self, request, queryset):
        return self._eori_decision(request, queryset, "refuse")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "organisation", "actor_shown", "note"]
    list_filter = ["action"]
    search_fields = ["organisation__name", "organisation__eori", "note"]
    date_hierarchy = "at"
    list_select_related = ["organisation", "actor"]

    @admin.display(description=_("by"))
    def actor_shown(self, obj: AuditEntry) -> str:
        if obj.actor is None:
            return _g("the operator (command line) or the portal")
        return obj.actor.get_full_name() or obj.actor.get_username()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

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
