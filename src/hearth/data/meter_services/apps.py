from django.apps import AppConfig


class MeterServicesConfig(AppConfig):
    name = "hearth.data.meter_services"
    label = "meter_services"
    verbose_name = "Meter faults, accuracy tests and engineer appointments"
