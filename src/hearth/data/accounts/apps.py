from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hearth.data.accounts"
    label = "accounts"
    verbose_name = "Customers and accounts"
