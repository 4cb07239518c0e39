from django.urls import path

from gridgov.customs import views

app_name = "customs"

urlpatterns = [
    path("", views.village_list, name="list"),
    path("<int:pk>/", views.village_page, name="village"),
    path("<int:pk>/<str:action>/", views.village_action, name="act"),
    path("rules/<int:pk>/file", views.rules_file, name="rules_file"),
    path("registrations/", views.registration_list, name="registrations"),
    path("registrations/export.xlsx", views.export_xlsx, name="export"),
    path("registrations/import/", views.import_xlsx, name="import"),
    path("registrations/new/", views.registration_new, name="new"),
    path("registrations/<int:pk>/", views.registration_page, name="registration"),
    path("stats/", views.statistics, name="stats"),
    path("m/new/", views.phone_new, name="phone_new"),
    path("m/<int:pk>/", views.phone_done, name="phone_done"),
]
