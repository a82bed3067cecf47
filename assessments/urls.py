from django.urls import path

from assessments import audits, plans, quarterly, views, wizard

app_name = "assessments"

urlpatterns = [
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("benchmarks/<str:code>/", views.occupation_detail, name="occupation"),
    path("about/data/", views.about_data, name="about_data"),
    path("about/runway/", views.about_runway, name="about_runway"),
    path("ladder/", audits.my_ladder, name="my_ladder"),
    path("ladder/keep/", audits.claim, name="claim"),
    path("ladder/not-mine/", audits.discard, name="discard"),
    path("ladder/check-in/", quarterly.reassess, name="reassess"),
    path("check-ins/", quarterly.checkin_settings, name="checkin_settings"),
    path("check-in/<str:token>/", quarterly.checkin_link, name="checkin"),
    path("check-ins/stop/<str:token>/", quarterly.unsubscribe, name="unsubscribe"),
    path("audit/new/", wizard.start, name="start"),
    path("audit/occupations/", wizard.occupation_options, name="occupation_options"),
    path("audit/<uuid:code>/role/", wizard.step_role, name="step_role"),
    path("audit/<uuid:code>/activities/", wizard.step_activities, name="step_activities"),
    path("audit/<uuid:code>/time/", wizard.step_time, name="step_time"),
    path("audit/<uuid:code>/scores/", wizard.step_scores, name="step_scores"),
    path("audit/<uuid:code>/result/", audits.result, name="result"),
    path("audit/<uuid:code>/delete/", audits.delete, name="delete"),
    path("audit/<uuid:code>/plan/", plans.plan_edit, name="plan"),
    path("plan/<uuid:code>/", plans.sprint, name="sprint"),
    path("plan/<uuid:code>/calendar.ics", plans.calendar_download, name="calendar_download"),
    path("plan/<uuid:code>/calendar/new-address/", plans.calendar_revoke, name="calendar_revoke"),
    path("plan/<uuid:code>/report/", plans.report, name="report"),
    path("calendar/<str:token>.ics", plans.calendar_feed, name="calendar_feed"),
]
