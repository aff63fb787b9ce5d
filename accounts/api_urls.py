"""API routes of the accounts app (webhook endpoints and deliveries)."""

urlpatterns: list = []
