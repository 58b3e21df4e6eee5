from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "hearth.interfaces.care"
    label = "care_console"
