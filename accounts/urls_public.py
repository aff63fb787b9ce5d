"""Pages open to visitors: an organisation's sign-up and accepting an invitation."""

from django.urls import path

from accounts import views_public

app_name = "public"

urlpatterns = [
    path("signup/", views_public.sign_up, name="signup"),
    path(
        "invitations/<str:token>/",
        views_public.invitation_accept,
        name="invitation",
    ),
]
