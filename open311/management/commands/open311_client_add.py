from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from open311.services import client_issue


class Command(BaseCommand):
    help = "Issue an Open311 API key to a new client and print it (it is shown only once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--contact", default="")
        parser.add_argument("--per-minute", type=int, default=60)

    def handle(self, *args: Any, name: str, contact: str, per_minute: int, **options: Any) -> None:
        _client, key = client_issue(name, contact=contact, requests_per_minute=per_minute)
        self.stdout.write(key)
