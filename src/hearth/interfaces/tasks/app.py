"""The Celery application (`celery -A hearth.interfaces.tasks.app worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="mail")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="billing")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="documents")
