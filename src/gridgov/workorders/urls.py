from django.urls import path

from gridgov.workorders import desk, views

app_name = "workorders"

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("new/", views.new_event, name="new"),
    path("<int:pk>/", views.order_page, name="order"),
    path("<int:pk>/merge/", views.merge_page, name="merge"),
    path("<int:pk>/public/", views.publish_page, name="publish"),
    path("photos/<int:pk>", views.photo, name="photo"),
    path("stats/", views.stats_page, name="stats"),
    path("m/", views.phone_home, name="phone"),
    path("m/report/", views.phone_report, name="phone_report"),
    path("m/inbox/", views.phone_inbox, name="phone_inbox"),
    path("m/queue/", views.phone_queue, name="phone_queue"),
    path("m/<int:pk>/", views.phone_order, name="phone_order"),
]
