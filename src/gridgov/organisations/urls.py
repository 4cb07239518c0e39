from django.urls import path

from gridgov.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.org_list, name="list"),
    path("new/", views.org_new, name="new"),
    path("import/", views.org_import, name="import"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.org_action, name="act"),
    path("instructors/", views.instructors, name="instructors"),
    path("statistics/", views.statistics, name="statistics"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/end/", views.volunteer_end, name="volunteer_end"),
    path("m/volunteer/", views.phone_volunteer, name="phone_volunteer"),
]
