from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("benchmarks/<str:code>/", views.occupation_detail, name="occupation"),
    path("about/data/", views.about_data, name="about_data"),
    path("about/runway/", views.about_runway, name="about_runway"),
]
