from django.urls import path

from gridgov.workorders import views

app_name = "workorders"

urlpatterns = [
    path("photos/<int:pk>", views.photo, name="photo"),
]
