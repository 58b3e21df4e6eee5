from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "hearth.data.identity"
    label = "identity"
    verbose_name = "Portal logins and staff"
