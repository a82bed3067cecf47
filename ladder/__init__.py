"""Ladder: the project package. The framework-free ladder model is ``ladder.method``;
the Celery app (``ladder.celery``) is loaded by the assessments app when Django starts,
so importing ``ladder.method`` loads neither Django nor Celery."""
