from django.urls import path

from gridgov.inbox import views

app_name = "inbox"

# Under /orders/ (where they have always been: bookmarks and the phone app keep working).
urlpatterns = [
    path("commands/", views.commands_page, name="commands"),
    path("commands/<int:pk>/", views.command_page, name="command"),
    path("commands/files/<int:pk>", views.command_file, name="command_file"),
]
