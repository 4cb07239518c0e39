from django.urls import path
from django.views.generic import RedirectView

from gridgov.open311 import views

app_name = "open311"

urlpatterns = [
    path("", RedirectView.as_view(url="discovery.json"), name="root"),
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("services.<str:fmt>", views.services, name="services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="service"),
    path("requests.<str:fmt>", views.requests_, name="requests"),
    path("requests/<str:ref>.<str:fmt>", views.one_request, name="request"),
    path("tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path("<path:rest>", views.unknown, name="unknown"),  # the spec's 404, not the HTML page
]
