from django.urls import path

from gridgov.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_page, name="case"),
    path("documents/<int:pk>", views.document, name="document"),
]
