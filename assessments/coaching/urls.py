from django.urls import path

from assessments.coaching import views as coach

app_name = "coach"

urlpatterns = [
    path("coach/", coach.dashboard, name="dashboard"),
    path("coach/clients.csv", coach.dashboard_csv, name="dashboard_csv"),
    path("coach/invite/", coach.invite_client, name="invite_client"),
    path("coach/digest/", coach.digest_setting, name="digest_setting"),
    path("coach/clients/<uuid:code>/", coach.client, name="client"),
    path("coach/clients/<uuid:code>/end/", coach.end, name="end"),
    path(
        "coach/clients/<uuid:code>/audits/<uuid:audit_code>/",
        coach.client_audit,
        name="client_audit",
    ),
    path("coach/invitations/<uuid:code>/withdraw/", coach.withdraw, name="withdraw"),
    path("coach/invitations/<uuid:code>/send-again/", coach.send_again, name="send_again"),
    path("invitation/<token:token>/", coach.invitation, name="invitation"),
    path("my-coach/", coach.my_coaches, name="my_coaches"),
    path("my-coach/invite/", coach.invite_coach, name="invite_coach"),
    path("my-coach/<uuid:code>/stop/", coach.revoke, name="revoke"),
    path("audit/<uuid:code>/reply/", coach.reply, name="reply"),
]
