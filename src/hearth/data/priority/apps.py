from django.apps import AppConfig


class PriorityConfig(AppConfig):
    name = "hearth.data.priority"
    label = "priority"
    verbose_name = "The Priority Services Register"
