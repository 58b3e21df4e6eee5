"""Pages shared by the portal and the console: the brand stylesheet and error pages."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control


@cache_control(max_age=3600, public=True)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The supplier's colours from configuration, as CSS custom properties (no inline styles under the CSP)."""
    brand = settings.HEARTH_BRAND
    css = f":root {{ --brand: {brand['colour']}; --accent: {brand['accent']}; }}\n"
    return HttpResponse(css, content_type="text/css")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)
