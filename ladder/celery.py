"""The Celery app. Tasks live in the apps; the beat schedule is kept here in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")

app = Celery("ladder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "send-checkins": {
        "task": "assessments.tasks.sweep_checkins",
        "schedule": crontab(minute="*/15"),
    },
    "notify-clients-of-comments": {
        "task": "assessments.tasks.notify_clients_of_comments",
        "schedule": crontab(minute="*/15"),
    },
    "send-coach-digests": {
        "task": "assessments.tasks.send_coach_digests",
        "schedule": crontab(minute=5),
    },
    "purge-unclaimed-audits": {
        "task": "assessments.tasks.purge_unclaimed_audits",
        "schedule": crontab(hour=3, minute=17),
    },
}
