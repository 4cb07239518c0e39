from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from gridgov.api import api, not_found
from gridgov.centre import views as centre_views
from gridgov.enforcement import views as enforcement_views
from gridgov.open311 import views as open311_views
from gridgov.workorders import public, public_verdict


class Anything:
    """Any rest of a path, line breaks included (`path` stops at them)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Anything, "anything")

admin.site.site_header = "gridgov 一网统管"
admin.site.site_title = "gridgov"

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/v1/<anything:rest>", not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("air/", include("gridgov.air.urls")),
    path("orders/", include("gridgov.inbox.urls")),
    path("orders/", include("gridgov.workorders.urls")),
    path("emergency/", include("gridgov.emergency.urls")),
    path("sources/", include("gridgov.sources.urls")),
    path("meetings/", include("gridgov.meetings.urls")),
    path("open311/v2/", include("gridgov.open311.urls")),
    path("open311/", open311_views.unknown),  # the spec's 404 (JSON), not the HTML page
    path("open311/<path:rest>", open311_views.unknown),
    path("report/", public.report, name="public_report"),
    path("report/track/", public.track, name="public_track"),
    path("report/track/verdict/", public_verdict.by_reference, name="public_verdict"),
    path("report/v/<str:token>/", public_verdict.by_link, name="public_verdict_link"),
    path("report/area.geojson", public.area, name="public_area"),
    path("report/where", public.where, name="public_where"),
    path("", include("gridgov.inspections.urls")),
    path("cases/", include("gridgov.enforcement.urls")),
    path("bulletins/", include("gridgov.bulletins.urls")),
    path("", include("gridgov.forces.urls")),
    path("racing/", include("gridgov.racing.urls")),
    path("exposure/", enforcement_views.exposure_list, name="exposure_list"),
    path("exposure/<int:pk>/", enforcement_views.exposure_detail, name="exposure_detail"),
    path("exposure/photos/<int:pk>", enforcement_views.exposure_photo, name="exposure_photo"),
    path("", include("gridgov.centre.urls")),
    path("mediation/", include("gridgov.mediation.urls")),
    path("organisations/", include("gridgov.organisations.urls")),
    path("projects/", include("gridgov.projects.urls")),
    path("customs/", include("gridgov.customs.urls")),
    path("m/", RedirectView.as_view(pattern_name="workorders:phone", permanent=False)),
    path("", centre_views.landing, name="home"),  # by role: centre/landing.py
    path("", include("gridgov.web.urls")),
]
