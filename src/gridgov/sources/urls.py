from django.urls import path

from gridgov.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("new/", views.new_source, name="new"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("template.xlsx", views.template_xlsx, name="template"),
    path("<int:pk>/", views.source_page, name="source"),
    path("<int:pk>/edit/", views.edit_source, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/files/", views.upload_file, name="upload"),
    path("files/<int:pk>", views.source_file, name="file"),
]
