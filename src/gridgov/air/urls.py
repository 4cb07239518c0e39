from django.urls import path

from gridgov.air import views

app_name = "air"

urlpatterns = [
    path("", views.station_map, name="map"),
    path("station/<str:code>/", views.station_page, name="station"),
    path("targets/", views.targets_page, name="targets"),
    path("rankings/", views.rankings_page, name="rankings"),
    path("alarms/", views.alarms_page, name="alarms"),
    path("alarms/<int:alarm_id>/acknowledge/", views.acknowledge_alarm, name="acknowledge"),
]
