"""The ladder model, free of any framework: scoring, planning, runway, granularity,
statistics, search ranking, the chart and the calendar. Nothing here imports Django
or Celery, so it can be read, tested and reused on its own."""
