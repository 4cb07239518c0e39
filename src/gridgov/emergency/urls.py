from django.urls import path

from gridgov.emergency import views

app_name = "emergency"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.warning_page, name="warning"),
    path("<int:pk>/end/", views.end_page, name="end"),
    path("recommendations/<int:pk>/dismiss/", views.dismiss_page, name="dismiss"),
]
