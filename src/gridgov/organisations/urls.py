app_name = "organisations"

urlpatterns: list = []  # filled by the app's pages
