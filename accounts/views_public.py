"""Pages open to visitors: an organisation's sign-up and accepting an invitation."""

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import services_team
from accounts.errors import ApplicationError
from accounts.forms import ROLE_LABELS, InvitationAcceptForm, SignUpForm
from accounts.selectors import invitation_by_token, invitation_status

# Several authentication backends may be configured; logins here are passwords.
_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services_team.organisation_sign_up(
                organisation_name=data["organisation_name"],
                kind=data["kind"],
                eori=data["eori"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, membership.user, backend=_BACKEND)
            return redirect("declarations:list")
    return render(request, "accounts/signup.html", {"form": form})


def _unusable(request: HttpRequest, status: str, invitation=None) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"status": status, "invitation": invitation},
        status=404 if status == "unknown" else 410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    if invitation is None:
        return _unusable(request, "unknown")
    status = invitation_status(invitation)
    if status != "pending":
        return _unusable(request, status, invitation)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            membership = services_team.invitation_accept(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ApplicationError as exc:
            if exc.status == 410:
                invitation.refresh_from_db()
                return _unusable(request, invitation_status(invitation), invitation)
            error = exc.message
        else:
            login(request, membership.user, backend=_BACKEND)
            return redirect("declarations:list")
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "form": form,
            "invitation": invitation,
            "role_label": ROLE_LABELS[invitation.role],
            "error": error,
        },
    )
