"""People who completed audits before check-ins existed get their first check-in:
a quarter after their latest result, or (if that has passed) within the next two
weeks, spread over the days so they don't all arrive at once."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import Max
from django.utils import timezone


def schedule(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    now = timezone.now()
    people = User.objects.filter(next_checkin_at__isnull=True).annotate(
        latest=Max("snapshots__taken_at")
    )
    for person in people.exclude(latest=None).iterator(chunk_size=1000):
        zone = ZoneInfo(person.time_zone)
        day = timezone.localtime(person.latest, zone).date() + timedelta(days=90)
        if datetime.combine(day, time(9), tzinfo=zone) <= now:
            day = timezone.localtime(now, zone).date() + timedelta(days=1 + person.pk % 14)
        person.next_checkin_at = datetime.combine(day, time(9), tzinfo=zone)
        person.save(update_fields=["next_checkin_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_coach_links"),
        ("assessments", "0005_comments_digests"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
