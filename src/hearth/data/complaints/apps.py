from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "hearth.data.complaints"
    label = "complaints"
    verbose_name = "Complaints and their clocks"
