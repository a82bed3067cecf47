from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter

from accounts.urls import urlpatterns as account_patterns
from assessments import exports
from ladder import views
from ladder.converters import OccupationCodeConverter, TokenConverter

register_converter(OccupationCodeConverter, "occupation")
register_converter(TokenConverter, "token")

# The admin has no log-in of its own: it sends people to ours, so its staff pass the same
# second factor and the same rate limits as everyone else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.landing, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("assessments.urls")),
    path("", include("assessments.coaching.urls")),
    # The data export belongs to the account pages (``accounts:export``) but is built
    # from everything in assessments; the project joins the two, so that accounts
    # never imports assessments.
    path(
        "accounts/",
        include(
            ([*account_patterns, path("export/", exports.download, name="export")], "accounts")
        ),
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ladder.views.bad_request"
handler403 = "ladder.views.permission_denied"
handler404 = "ladder.views.page_not_found"
handler500 = "ladder.views.server_error"
