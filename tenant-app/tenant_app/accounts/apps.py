from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tenant_app.accounts"
    label = "accounts"
    verbose_name = "Accounts"
