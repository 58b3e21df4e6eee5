from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "hearth.data.payments"
    label = "payments"
    verbose_name = "Payment arrangements, Direct Debit, cards and refunds"
