"""Celery tasks: thin wrappers that call one plain function."""

from __future__ import annotations

from celery import shared_task

from assessments import services


@shared_task
def purge_unclaimed_audits() -> int:
    """Delete visitors' audits nobody claimed within 30 days."""
    return services.audits_purge_unclaimed()
