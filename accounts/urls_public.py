"""Pages open to visitors: sign-up, e-mail confirmation, invitations, password
reset; and the page of an organisation waiting for its checks."""

from django.urls import path

from accounts import views_public, views_two_factor

app_name = "public"

urlpatterns = [
    path("signup/", views_public.sign_up, name="signup"),
    path("signup/sent/", views_public.sign_up_sent, name="signup-sent"),
    path(
        "verify-email/<str:token>/", views_public.email_verify, name="email-verify"
    ),
    path("pending/", views_public.pending, name="pending"),
    path(
        "pending/resend/",
        views_public.email_verify_resend,
        name="email-verify-resend",
    ),
    path("two-factor/", views_two_factor.two_factor, name="two-factor"),
    path(
        "invitations/<str:token>/",
        views_public.invitation_accept,
        name="invitation",
    ),
]
