from django.urls import path

from gridgov.inbox import notice_views, views

app_name = "inbox"

# Under /orders/ (where they have always been: bookmarks and the phone app keep working).
urlpatterns = [
    path("commands/", views.commands_page, name="commands"),
    path("commands/<int:pk>/", views.command_page, name="command"),
    path("commands/files/<int:pk>", views.command_file, name="command_file"),
    path("deliveries/", notice_views.deliveries_page, name="deliveries"),
    path("notice-settings/", notice_views.settings_page, name="settings"),
    path("m/notice-settings/", notice_views.phone_settings_page, name="phone_settings"),
]
