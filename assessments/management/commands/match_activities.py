import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.library import services as library


class Command(BaseCommand):
    stealth_options = ("stdin",)  # call_command(..., stdin=...) in tests and the eval
    help = (
        "Match activity phrases (one per line on stdin) to O*NET task statements: one "
        "JSON object per line out, best match first, or no_match when nothing is close."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--occupation", default="", help="O*NET-SOC code, e.g. 15-1252.00")
        parser.add_argument(
            "--scope",
            choices=["occupation", "all"],
            default="all",
            help="rank only the occupation's tasks, or all tasks with it as a prior (default)",
        )
        parser.add_argument("--top", type=int, default=10, help="matches per phrase (1–50)")

    def handle(self, *args: Any, **options: Any) -> None:
        top = max(1, min(50, options["top"]))
        occupation = options["occupation"].strip() or None
        stdin = options.get("stdin") or sys.stdin
        for line in stdin:
            phrase = line.rstrip("\n")
            found = library.match_activity(
                phrase, occupation=occupation, scope=options["scope"], top=top
            )
            self.stdout.write(json.dumps(found.as_json(), ensure_ascii=False))
