"""Hearth's URLs: the portal at /, the care console at /care/, the REST API at /api/v1/."""

from django.urls import include, path

from hearth.interfaces.api.api import api
from hearth.interfaces.web import views as web_views

urlpatterns = [
    path("brand.css", web_views.brand_css, name="brand_css"),
    path("care/", include("hearth.interfaces.care.urls")),
    path("inbound/", include("hearth.interfaces.inbound.urls")),
    path("api/v1/", api.urls),
    path("", include("hearth.interfaces.portal.urls")),
]

handler403 = "hearth.interfaces.web.views.forbidden"
handler404 = "hearth.interfaces.web.views.not_found"
