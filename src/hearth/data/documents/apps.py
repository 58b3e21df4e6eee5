from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "hearth.data.documents"
    label = "documents"
    verbose_name = "Documents"
