from django.urls import path

from gridgov.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.portfolio, name="list"),
    path("new/", views.new_project, name="new"),
    path("map/", views.project_map, name="map"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("<int:pk>/", views.project_page, name="project"),
    path("<int:pk>/<str:action>/", views.project_action, name="act"),
    path("documents/<int:pk>", views.document, name="document"),
]
