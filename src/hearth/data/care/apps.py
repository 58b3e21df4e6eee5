from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "hearth.data.care"
    label = "care"
    verbose_name = "Customer care: cases, requests and the audit trail"
