from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "hearth.data.metering"
    label = "metering"
    verbose_name = "Meters and meter data"
