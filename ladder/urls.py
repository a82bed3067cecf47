from django.contrib import admin
from django.urls import include, path

from ladder import views

urlpatterns = [
    path("", views.landing, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("assessments.urls")),
    path("", include("assessments.coach_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ladder.views.bad_request"
handler403 = "ladder.views.permission_denied"
handler404 = "ladder.views.page_not_found"
handler500 = "ladder.views.server_error"
