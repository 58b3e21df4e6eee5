"""The NinjaAPI instance mounted at /api/v1/: its authentication, error answers, schema and documentation page.

The OpenAPI schema is at ``/api/v1/openapi.json`` and the Swagger UI page at ``/api/v1/docs``. django-ninja's own
docs page loads Swagger UI from a CDN unless ``ninja`` is an installed app; Hearth serves everything itself
(QUALITY.md, and the CSP allows only 'self'), so the page here is rendered by :class:`SelfHostedSwagger` and its
script and stylesheet — the copies django-ninja ships in its package — are served from ``/api/v1/docs/assets/``.
The page has no inline script: its settings travel as a JSON data block, which the CSP does not treat as script.
"""

from pathlib import Path
from typing import Any, Final

import ninja
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html, json_script
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import DocsBase

from hearth.interfaces.api import accounts, auth, consumption, paging, products

NAMESPACE: Final = "api"

_ASSETS_DIR: Final = Path(ninja.__file__).resolve().parent / "static" / "ninja"
_ASSETS: Final = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-init.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" href="{icon}">
</head>
<body>
{settings}
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


class SelfHostedSwagger(DocsBase):
    """Swagger UI with every asset served by Hearth (no CDN), and no inline script for the CSP to refuse."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": name})

        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        page = format_html(
            _PAGE,
            title=api.title,
            css=asset("swagger-ui.css"),
            icon=asset("favicon.png"),
            settings=json_script(settings, "swagger-settings"),
            bundle=asset("swagger-ui-bundle.js"),
            init=asset("swagger-ui-init.js"),
        )
        return HttpResponse(page)


class HearthApi(NinjaAPI):
    """The API, whose answers (a customer's consumption and addresses) no cache may keep."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        patch_cache_control(response, private=True, no_store=True)
        return response


api = HearthApi(
    title="Hearth API",
    version="1",
    description=(
        "Consumption and account data, shaped like the Octopus Energy REST API so that existing clients work when "
        "pointed at `/api/v1`. Authenticate with HTTP Basic: your API key (made in the customer portal, under "
        "'API keys') as the user name and an empty password."
    ),
    urls_namespace=NAMESPACE,
    auth=auth.ApiKeyBasicAuth(),
    docs=SelfHostedSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", consumption.router)
api.add_router("", accounts.router)
api.add_router("", products.router)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Authentication needed: give your API key as the HTTP Basic user name, with an empty password."},
        status=401,
    )
    response["WWW-Authenticate"] = f'Basic realm="{auth.REALM}", charset="UTF-8"'
    return response


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One of the Swagger UI files django-ninja ships, for the docs page."""
    content_type = _ASSETS.get(name)
    if content_type is None:
        raise HttpError(404, paging.NOT_FOUND)
    response = HttpResponse((_ASSETS_DIR / name).read_bytes(), content_type=content_type)
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
