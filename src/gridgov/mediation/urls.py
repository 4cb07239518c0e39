from django.urls import path

from gridgov.mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake, name="new"),
    path("from-order/", views.from_order, name="from_order"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/agreement.<str:fmt>", views.agreement_file, name="agreement"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="act"),
    path("committees/", views.committees, name="committees"),
    path("trainings/new/", views.training_new, name="training_new"),
    path("trainings/attendance.xlsx", views.attendance_xlsx, name="attendance"),
    path("trainings/import/", views.attendance_import, name="attendance_import"),
    path("stats/", views.statistics, name="stats"),
    path("m/new/", views.phone_new, name="phone_new"),
    path("m/followups/", views.phone_followups, name="phone_followups"),
    path("m/followups/<int:pk>/", views.phone_followup, name="phone_followup"),
]
