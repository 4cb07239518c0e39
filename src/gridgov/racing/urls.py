from django.urls import path

from gridgov.racing import views

app_name = "racing"

urlpatterns = [
    path("", views.index, name="index"),
    path("cards/<int:pk>/", views.card_page, name="card"),
    path("cards/<int:pk>/export.xlsx", views.card_export, name="export"),
    path("units/<int:region_id>/", views.unit_page, name="unit"),
]
