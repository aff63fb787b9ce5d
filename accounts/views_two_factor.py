"""The second factor: enrolling an authenticator app (TOTP, RFC 6238) and
giving its code after the password. Required of officers and organisation
administrators when TWO_FACTOR_REQUIRED is on (production)."""

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={
            "invalid": gettext_lazy("Enter the 6 digits your app shows now.")
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/admin/" if request.user.is_staff else "/"


def _qr_svg(device: TOTPDevice) -> str:
    # segno writes the otpauth:// URL as an inline SVG: no image request, no script.
    return mark_safe(  # noqa: S308 (segno's own SVG markup, no user input in it)
        segno.make(device.config_url, error="m").svg_inline(
            scale=4, title=_("QR code for your authenticator app")
        )
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (a new secret, its QR code, one code to confirm it) or verify."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Authenticator app"}
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "This code is not right. Codes change every 30 seconds: check "
                "your device's clock and enter the code shown now."
            ),
        )
    context = {
        "form": form,
        "enrolling": enrolling,
        "next": _next_url(request),
    }
    if enrolling:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = _base32(device.bin_key)
    return render(
        request,
        "accounts/two_factor.html",
        context,
        status=400 if form.errors else 200,
    )


def _base32(key: bytes) -> str:
    """The secret as apps ask for it when typed: base32, in groups of four."""
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
