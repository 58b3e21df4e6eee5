from django.apps import AppConfig


class PrepaymentConfig(AppConfig):
    name = "hearth.data.prepayment"
    label = "prepayment"
    verbose_name = "Prepayment: the credit on each meter, top-ups, debts recovered through the meter"
