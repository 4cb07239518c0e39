from django.urls import path

from gridgov.inspections import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.desk, name="desk"),
    path("inspections/<int:pk>/", views.detail, name="detail"),
    path("inspections/photos/<int:pk>", views.photo, name="photo"),
    path("m/inspect/", views.phone_near, name="phone_near"),
    path("m/inspect/<int:pk>/", views.phone_inspect, name="phone_inspect"),
    path("m/inspect/done/<int:pk>/", views.phone_done, name="phone_done"),
]
