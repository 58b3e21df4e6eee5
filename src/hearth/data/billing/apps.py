from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "hearth.data.billing"
    label = "billing"
    verbose_name = "Bills, ledger and bill runs"
