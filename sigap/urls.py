from django.contrib import admin
from django.urls import include, path

from sigap.api.api import api
from sigap.core.views import healthz
from sigap.web.views.admin_login import admin_login

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("metrics/", include("sigap.metrics.urls")),
    path("", include("sigap.feedback.urls")),
    path("chat/", include("sigap.chat.urls")),
    path("routing/", include("sigap.routing.urls")),
    path("connectors/", include("sigap.connectors.urls")),
    path("", include("sigap.web.urls")),
]

handler404 = "sigap.web.views.errors.not_found"
