"""Celery: the task engine. Tasks run on workers when CELERY_BROKER_URL is set, inline otherwise."""
