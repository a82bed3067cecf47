"""The app's URLs (namespace "assessments"); the coaching pages have their own
namespace, "coach", in ``assessments/coaching/urls.py``."""

from django.urls import path

from assessments.audits import views as audits
from assessments.checkins import views as checkins
from assessments.library import views as library
from assessments.plans import views as plans

app_name = "assessments"

urlpatterns = [
    path("benchmarks/", library.benchmarks, name="benchmarks"),
    path("benchmarks/<occupation:code>/", library.occupation_detail, name="occupation"),
    path("about/data/", library.about_data, name="about_data"),
    path("about/runway/", library.about_runway, name="about_runway"),
    path("ladder/", audits.my_ladder, name="my_ladder"),
    path("ladder/keep/", audits.claim, name="claim"),
    path("ladder/not-mine/", audits.discard, name="discard"),
    path("ladder/check-in/", audits.reassess, name="reassess"),
    path("check-ins/", checkins.checkin_settings, name="checkin_settings"),
    path("check-in/<token:token>/", checkins.checkin_link, name="checkin"),
    path("check-ins/stop/<token:token>/", checkins.unsubscribe, name="unsubscribe"),
    path("audit/new/", audits.start, name="start"),
    path("audit/occupations/", audits.occupation_options, name="occupation_options"),
    path("audit/<uuid:code>/role/", audits.step_role, name="step_role"),
    path("audit/<uuid:code>/activities/", audits.step_activities, name="step_activities"),
    path("audit/<uuid:code>/time/", audits.step_time, name="step_time"),
    path("audit/<uuid:code>/scores/", audits.step_scores, name="step_scores"),
    path("audit/<uuid:code>/result/", audits.result, name="result"),
    path("audit/<uuid:code>/delete/", audits.delete, name="delete"),
    path("audit/<uuid:code>/plan/", plans.plan_edit, name="plan"),
    path("plan/<uuid:code>/", plans.sprint, name="sprint"),
    path("plan/<uuid:code>/calendar.ics", plans.calendar_download, name="calendar_download"),
    path("plan/<uuid:code>/calendar/new-address/", plans.calendar_revoke, name="calendar_revoke"),
    path("plan/<uuid:code>/report/", plans.report, name="report"),
    path("calendar/<token:token>.ics", plans.calendar_feed, name="calendar_feed"),
]
