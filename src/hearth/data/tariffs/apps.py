from django.apps import AppConfig


class TariffsConfig(AppConfig):
    name = "hearth.data.tariffs"
    label = "tariffs"
    verbose_name = "Products, tariffs and rates"
