from django.urls import path

from gridgov.air import (
    archive_views,
    control_views,
    forecast_views,
    quality_views,
    review_views,
    tamper_views,
    views,
)

app_name = "air"

urlpatterns = [
    path("", views.station_map, name="map"),
    path("station/<str:code>/", views.station_page, name="station"),
    path("station/<str:code>/commands/", control_views.device_command, name="device_command"),
    path("station/<str:code>/packets/", archive_views.station_packets, name="station_packets"),
    path("targets/", views.targets_page, name="targets"),
    path("forecast/", forecast_views.forecast_page, name="forecast"),
    path("rankings/", views.rankings_page, name="rankings"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("alarms/", views.alarms_page, name="alarms"),
    path("alarms/acknowledge/", views.acknowledge_alarms, name="acknowledge_many"),
    path("alarms/<int:alarm_id>/acknowledge/", views.acknowledge_alarm, name="acknowledge"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("station/<str:code>/review/<str:day>/", review_views.review_day, name="review_day"),
    path(
        "station/<str:code>/review/<str:day>/decide/",
        review_views.review_decide,
        name="review_decide",
    ),
    path(
        "station/<str:code>/review/<str:day>/approve/",
        review_views.review_approve,
        name="review_approve",
    ),
    path("review/decisions/<int:decision_id>/undo/", review_views.review_undo, name="review_undo"),
    path("tampering/", tamper_views.tamper_list, name="tampering"),
    path("tampering/<int:finding_id>/decision/", tamper_views.tamper_decide, name="tamper_decide"),
]
