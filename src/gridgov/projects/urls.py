app_name = "projects"

urlpatterns: list = []  # filled by the app's pages
