from django.urls import path

from gridgov.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>.pdf", views.pdf_file, name="pdf"),
    path("<int:pk>.xlsx", views.xlsx_file, name="xlsx"),
]
