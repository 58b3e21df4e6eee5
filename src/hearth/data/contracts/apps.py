from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "hearth.data.contracts"
    label = "contracts"
    verbose_name = "Supply contracts, switching, notices and home moves"
