from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "hearth.interfaces.portal"
    label = "portal"
