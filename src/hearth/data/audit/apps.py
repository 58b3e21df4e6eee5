from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hearth.data.audit"
    label = "audit"
    verbose_name = "Audit trail"
