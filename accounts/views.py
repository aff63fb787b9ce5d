"""The settings page of an organisation's admins: team, API keys, webhooks."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from accounts import services_team, webhooks
from accounts.errors import ApplicationError
from accounts.forms import (
    ROLE_LABELS,
    ApiKeyForm,
    InvitationForm,
    RoleForm,
    WebhookEndpointForm,
    WebhookEventsForm,
)
from accounts.models import (
    ApiKey,
    Invitation,
    Membership,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
)
from accounts.selectors import invitations_pending, team_members
from accounts.services import api_key_issue, api_key_revoke


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    organisation: Organisation


def admin_required(view: Callable) -> Callable:
    """Only an admin of a trader organisation; anyone else gets a 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        membership = getattr(request.user, "membership", None)
        if (
            membership is None
            or membership.organisation.is_customs
            or membership.role != Membership.Role.ADMIN
        ):
            return render(
                request,
                "accounts/forbidden.html",
                {"is_customs": bool(membership and membership.organisation.is_customs)},
                status=403,
            )
        request.organisation = membership.organisation
        return view(request, *args, **kwargs)

    return wrapped


def _settings_url(anchor: str = "") -> str:
    return reverse("accounts:settings") + (f"#{anchor}" if anchor else "")


def _keys_context(organisation: Organisation, **extra) -> dict:
    return {
        "api_keys": ApiKey.objects.filter(organisation=organisation).select_related(
            "created_by"
        ),
        "key_form": ApiKeyForm(),
        **extra,
    }


def _webhooks_context(organisation: Organisation, **extra) -> dict:
    endpoints = list(webhooks.webhook_endpoint_list(organisation=organisation))
    recent = webhooks.webhook_deliveries_recent(endpoint_ids=[e.pk for e in endpoints])
    for endpoint in endpoints:
        endpoint.recent_deliveries = recent[endpoint.pk]
        endpoint.events_form = WebhookEventsForm(
            initial={"events": endpoint.events}, auto_id=f"id_ep{endpoint.pk}_%s"
        )
    return {
        "endpoints": endpoints,
        "webhook_form": WebhookEndpointForm(),
        **extra,
    }


def _team_context(organisation: Organisation, **extra) -> dict:
    members = list(team_members(organisation=organisation))
    for member in members:
        member.role_form = RoleForm(
            initial={"role": member.role}, auto_id=f"id_member{member.pk}_%s"
        )
    return {
        "members": members,
        "invitations": invitations_pending(organisation=organisation),
        "invite_form": InvitationForm(),
        **extra,
    }


def _render(
    request: HtmxHttpRequest, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """The section alone for htmx, else the whole page around it."""
    organisation = request.organisation
    if request.htmx:
        return render(request, partial, context, status=status)
    full = (
        _team_context(organisation)
        | _keys_context(organisation)
        | _webhooks_context(organisation)
        | context
    )
    return render(request, "accounts/settings.html", full, status=status)


def _keys(request: HtmxHttpRequest, **extra) -> HttpResponse:
    return _render(
        request, "accounts/_keys.html", _keys_context(request.organisation, **extra)
    )


def _webhooks(request: HtmxHttpRequest, **extra) -> HttpResponse:
    return _render(
        request,
        "accounts/_webhooks.html",
        _webhooks_context(request.organisation, **extra),
    )


def _confirm(
    request: HtmxHttpRequest, *, title: str, text: str, button: str, anchor: str
) -> HttpResponse:
    """The confirmation step for pages used without JavaScript."""
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": title,
            "text": text,
            "button": button,
            "action": request.path,
            "cancel": _settings_url(anchor),
        },
    )


@admin_required
@require_GET
def settings_page(request: HtmxHttpRequest) -> HttpResponse:
    organisation = request.organisation
    return render(
        request,
        "accounts/settings.html",
        _team_context(organisation)
        | _keys_context(organisation)
        | _webhooks_context(organisation),
    )


@admin_required
@require_POST
def api_key_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _keys(request, key_form=form)
    issued = api_key_issue(
        organisation=request.organisation,
        name=form.cleaned_data["name"],
        by=request.user,
    )
    # Rendered, not redirected: the raw key must not go through a cookie or
    # the session, and nothing can show it again.
    return _keys(request, new_key=issued)


@admin_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, organisation=request.organisation, pk=pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            title=_("Revoke the API key “%(name)s”?") % {"name": api_key.name},
            text=_(
                "Systems using the key %(prefix)s… will be refused from now on. "
                "This cannot be undone: you would issue a new key."
            )
            % {"prefix": api_key.prefix},
            button=_("Revoke key"),
            anchor="api-keys",
        )
    api_key_revoke(api_key=api_key)
    notice = _("The key “%(name)s” is revoked.") % {"name": api_key.name}
    if request.htmx:
        return _keys(request, notice=notice)
    messages.success(request, notice)
    return redirect(_settings_url("api-keys"))


@admin_required
@require_POST
def webhook_create(request: HtmxHttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = webhooks.webhook_endpoint_create(
                organisation=request.organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _webhooks(request, new_endpoint=endpoint, new_secret=secret)
    return _webhooks(request, webhook_form=form)


def _endpoint(request: HtmxHttpRequest, pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, organisation=request.organisation, pk=pk)


def _done(request: HtmxHttpRequest, notice: str, anchor: str) -> HttpResponse:
    if request.htmx:
        return _webhooks(request, notice=notice)
    messages.success(request, notice)
    return redirect(_settings_url(anchor))


@admin_required
@require_POST
def webhook_events_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    form = WebhookEventsForm(request.POST)
    if not form.is_valid():
        return _webhooks(request, error=f"{endpoint.url}: " + form.errors["events"][0])
    webhooks.webhook_endpoint_update(
        endpoint=endpoint, by=request.user, events=form.cleaned_data["events"]
    )
    return _done(
        request,
        _("%(url)s will now receive the chosen events.") % {"url": endpoint.url},
        f"endpoint-{pk}",
    )


@admin_required
@require_http_methods(["GET", "POST"])
def webhook_deactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            title=_("Deactivate %(url)s?") % {"url": endpoint.url},
            text=_(
                "Nothing more will be sent to it, pending retries included. You "
                "can reactivate it later; its deliveries stay listed."
            ),
            button=_("Deactivate endpoint"),
            anchor=f"endpoint-{pk}",
        )
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint, by=request.user)
    return _done(
        request, _("%(url)s is deactivated.") % {"url": endpoint.url}, f"endpoint-{pk}"
    )


@admin_required
@require_POST
def webhook_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    webhooks.webhook_endpoint_update(endpoint=endpoint, by=request.user, is_active=True)
    return _done(
        request, _("%(url)s is active again.") % {"url": endpoint.url}, f"endpoint-{pk}"
    )


@admin_required
@require_POST
def delivery_replay(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"),
        endpoint__organisation=request.organisation,
        pk=pk,
    )
    try:
        replay = webhooks.webhook_delivery_replay(delivery=delivery, by=request.user)
    except ApplicationError as exc:
        if request.htmx:
            return _webhooks(request, error=exc.message)
        messages.error(request, exc.message)
        return redirect(_settings_url(f"endpoint-{delivery.endpoint_id}"))
    return _done(
        request,
        _("Delivery %(id)s is queued again as delivery %(replay)s.")
        % {"id": delivery.pk, "replay": replay.pk},
        f"endpoint-{delivery.endpoint_id}",
    )


# The team: invitations, members' roles, removal.


def _team(request: HtmxHttpRequest, **extra) -> HttpResponse:
    return _render(
        request, "accounts/_team.html", _team_context(request.organisation, **extra)
    )


def _team_done(
    request: HtmxHttpRequest, *, notice: str = "", error: str = ""
) -> HttpResponse:
    """The team section again with a notice or an error (htmx), else redirect."""
    if request.htmx:
        return _team(request, notice=notice, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_settings_url("team"))


def _member(request: HtmxHttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        organisation=request.organisation,
        pk=pk,
    )


def _name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.get_username()


def _left_admins(request: HtmxHttpRequest) -> HttpResponse:
    """Whoever just gave up their own admin role can no longer see this page."""
    notice = _("You are no longer an administrator of %(organisation)s.") % {
        "organisation": request.organisation.name
    }
    messages.success(request, notice)
    if request.htmx:
        return HttpResponseClientRedirect(reverse("home"))
    return redirect("home")


@admin_required
@require_POST
def invitation_create(request: HtmxHttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            issued = services_team.invitation_create(
                organisation=request.organisation,
                by=request.user,
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _team_done(
                request,
                notice=_(
                    "An invitation is on its way to %(email)s. The link works for "
                    "7 days."
                )
                % {"email": issued.invitation.email},
            )
    return _team(request, invite_form=form)


@admin_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, organisation=request.organisation, pk=pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            title=_("Revoke the invitation of %(email)s?")
            % {"email": invitation.email},
            text=_("The link in the e-mail will stop working. You can invite again."),
            button=_("Revoke invitation"),
            anchor="team",
        )
    services_team.invitation_revoke(invitation=invitation)
    return _team_done(
        request,
        notice=_("The invitation of %(email)s is revoked.")
        % {"email": invitation.email},
    )


@admin_required
@require_POST
def member_role(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _team_done(
            request,
            error=_("%(name)s: choose administrator or member.")
            % {"name": _name(membership)},
        )
    try:
        membership = services_team.membership_role_change(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except ApplicationError as exc:
        return _team_done(request, error=exc.message)
    if membership.user_id == request.user.pk and membership.role != "admin":
        return _left_admins(request)
    return _team_done(
        request,
        notice=_("%(name)s is now %(role)s.")
        % {"name": _name(membership), "role": ROLE_LABELS[membership.role]},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            title=_("Remove %(name)s from %(organisation)s?")
            % {"name": _name(membership), "organisation": request.organisation.name},
            text=_(
                "Their login stops working at once, and so do the API keys they "
                "issued. The declarations they filed stay, and you can restore "
                "their access later."
            ),
            button=_("Remove member"),
            anchor="team",
        )
    try:
        services_team.membership_remove(membership=membership, by=request.user)
    except ApplicationError as exc:
        return _team_done(request, error=exc.message)
    if membership.user_id == request.user.pk:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("login"))
        return redirect("login")
    return _team_done(
        request,
        notice=_("%(name)s can no longer sign in.") % {"name": _name(membership)},
    )


@admin_required
@require_POST
def member_restore(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    services_team.membership_restore(membership=membership)
    return _team_done(
        request,
        notice=_("%(name)s can sign in again.") % {"name": _name(membership)},
    )
