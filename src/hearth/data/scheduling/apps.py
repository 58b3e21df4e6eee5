from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "hearth.data.scheduling"
    label = "scheduling"
    verbose_name = "Daily jobs and what they did"
