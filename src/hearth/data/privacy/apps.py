from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hearth.data.privacy"
    label = "privacy"
    verbose_name = "Personal data: subject-access and erasure requests, contact-detail changes"
