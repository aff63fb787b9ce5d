"""Pages of the accounts app: the organisation's settings (API keys, webhooks)."""

app_name = "accounts"

urlpatterns: list = []
