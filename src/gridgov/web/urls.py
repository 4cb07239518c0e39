from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from gridgov.web import views

app_name = "web"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("map/", views.grid_map, name="map"),
    path("map/boundaries.geojson", views.boundaries, name="boundaries"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("favicon.ico", RedirectView.as_view(url="/static/web/favicon.svg", permanent=True)),
]
