app_name = "mediation"

urlpatterns: list = []  # filled by the app's pages
