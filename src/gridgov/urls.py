from django.contrib import admin
from django.urls import include, path

from gridgov.api import api

admin.site.site_header = "gridgov 一网统管"
admin.site.site_title = "gridgov"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("air/", include("gridgov.air.urls")),
    path("orders/", include("gridgov.workorders.urls")),
    path("open311/v2/", include("gridgov.open311.urls")),
    path("", include("gridgov.web.urls")),
]
