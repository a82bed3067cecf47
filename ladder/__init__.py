"""Ladder: the project package and the framework-free ladder model."""

from ladder.celery import app as celery_app

__all__ = ["celery_app"]
