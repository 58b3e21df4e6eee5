from django.apps import AppConfig


class WebConfig(AppConfig):
    """What the portal and the care console share: layout, styles, security middleware, the outbox."""

    name = "hearth.interfaces.web"
    label = "web"
