from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The Celery app must exist before any task is queued, so that shared tasks
        # bind to it (``celery -A ladder`` finds it in ``ladder.celery`` by itself).
        import ladder.celery  # noqa: F401
