from django.urls import path

from gridgov.forces import views

app_name = "forces"

urlpatterns = [
    path("forces/", views.force_list, name="list"),
    path("forces/<int:pk>/", views.force_page, name="force"),
    path("supplies/", views.supplies, name="supplies"),
    path("supplies/export.xlsx", views.export_xlsx, name="export"),
    path("supplies/requests/<int:pk>/", views.request_page, name="request"),
    path("supplies/requests/<int:pk>/<str:action>/", views.request_action, name="act"),
]
