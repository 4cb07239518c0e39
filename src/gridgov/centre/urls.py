from django.urls import path

from gridgov.centre import views

app_name = "centre"

urlpatterns = [
    path("overview/", views.overview_page, name="overview"),
    path("overview/wall/", views.wall_page, name="wall"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("governance/", views.governance_page, name="governance"),
    path("air/hotspots/", views.hotspots_page, name="hotspots"),
    path("air/targets/allowance/", views.allowance_page, name="allowance"),
    path("air/hotspots/export.xlsx", views.hotspots_export, name="hotspots_export"),
]
