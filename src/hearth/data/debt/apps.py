from django.apps import AppConfig


class DebtConfig(AppConfig):
    name = "hearth.data.debt"
    label = "debt"
    verbose_name = "The debt path: from an overdue bill to a plan, prepayment or (last) disconnection"
