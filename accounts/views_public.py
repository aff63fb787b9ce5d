"""Pages open to visitors: sign-up and its e-mail confirmation, accepting an
invitation, password reset; and the page of an organisation still waiting for
its checks."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services_team, services_verification
from accounts.errors import ApplicationError
from accounts.forms import ROLE_LABELS, InvitationAcceptForm, SignUpForm
from accounts.selectors import invitation_by_token, invitation_status
from accounts.sign_in_limits import throttled_post

# Several authentication backends may be configured; logins here are passwords.
_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_http_methods(["GET", "POST"])
@throttled_post(
    group="signup", per_ip="SIGN_UP_RATE_PER_IP", per_account="SIGN_UP_RATE_PER_ACCOUNT"
)
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_team.organisation_sign_up(
                organisation_name=data["organisation_name"],
                kind=data["kind"],
                eori=data["eori"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The same answer whether the address was new or not.
            return redirect("public:signup-sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@never_cache
@require_GET
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Following the link confirms the address and signs its holder in."""
    try:
        user = services_verification.email_verify(token=token)
    except ApplicationError as exc:
        return render(
            request, "accounts/email_invalid.html", {"error": exc.message}, status=400
        )
    if request.user.pk != user.pk:
        login(request, user, backend=_BACKEND)
    return redirect("public:pending")


@login_required
@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """What an organisation still waits for before it may file."""
    membership = getattr(request.user, "membership", None)
    organisation = membership.organisation if membership else None
    if organisation is None or organisation.is_customs or organisation.is_verified:
        return redirect("home")
    return render(request, "accounts/pending.html", {"pending": organisation})


def _user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


@login_required
@require_POST
@throttled_post(
    group="verify-resend",
    per_ip="SIGN_UP_RATE_PER_IP",
    per_account="SIGN_UP_RATE_PER_ACCOUNT",
    account=_user_key,
)
def email_verify_resend(request: HttpRequest) -> HttpResponse:
    membership = getattr(request.user, "membership", None)
    if membership and membership.organisation.email_verified_at is None:
        services_verification.email_verification_send(
            user=request.user, site_url=request.build_absolute_uri("/")
        )
    return render(
        request,
        "accounts/pending.html",
        {"pending": membership.organisation if membership else None, "resent": True},
    )


@method_decorator(
    throttled_post(
        group="password-reset",
        per_ip="PASSWORD_RESET_RATE_PER_IP",
        per_account="PASSWORD_RESET_RATE_PER_ACCOUNT",
    ),
    name="dispatch",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset: it answers "check your e-mail" whether or not the address
    has a login, and mails a one-use link only to one that does."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting the new password runs the site's validators (SetPasswordForm) and
    changes the session hash, which signs the login out everywhere else."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services_verification.password_reset_record(user=form.user)
        return response


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
