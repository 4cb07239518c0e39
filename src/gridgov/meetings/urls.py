from django.urls import path

from gridgov.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.new_meeting, name="new"),
    path("<int:pk>/", views.meeting_page, name="meeting"),
    path("<int:pk>/edit/", views.edit_meeting, name="edit"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/statements/", views.statement, name="statement"),
    path("<int:pk>/decisions/", views.decision, name="decision"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/minutes.<str:fmt>", views.minutes, name="minutes"),
]
