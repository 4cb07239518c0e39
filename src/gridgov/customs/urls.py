app_name = "customs"

urlpatterns: list = []  # filled by the app's pages
