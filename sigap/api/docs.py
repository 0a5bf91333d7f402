"""The interactive API docs at /api/docs, served with the Swagger UI files ninja ships.

ninja only serves its own copy when "ninja" is an installed app and otherwise loads Swagger from
a CDN, which our Content-Security-Policy (and the no-CDN rule) forbids; so we serve the files.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

_ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
_SERVED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}
_ASSET_URL = "api-docs-asset"


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in _SERVED:
        raise Http404(name)
    content_type, _ = mimetypes.guess_type(name)
    response = FileResponse((_ASSETS / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def asset_patterns() -> list[URLPattern]:
    return [path("docs/assets/<str:name>", docs_asset, name=_ASSET_URL)]


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "layout": "BaseLayout",
            "deepLinking": True,
            "url": self.get_openapi_url(api, kwargs),
        }

        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:{_ASSET_URL}", kwargs={"name": name})

        context = {
            "title": api.title,
            "swagger_settings": settings,
            "css": asset("swagger-ui.css"),
            "bundle": asset("swagger-ui-bundle.js"),
            "init": asset("swagger-ui-init.js"),
            "icon": asset("favicon.png"),
        }
        return render(request, "api/docs.html", context)
