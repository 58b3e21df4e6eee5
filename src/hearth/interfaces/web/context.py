"""Template context shared by every page: the supplier's brand from configuration."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, Any]:
    return {"brand": settings.HEARTH_BRAND}
