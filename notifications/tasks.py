"""Background sending: the sweep retries what failed and what a stopped worker left behind."""

from __future__ import annotations

from django_tasks import task

from notifications.services import deliveries_send


@task()
def deliveries_sweep() -> dict[str, int]:
    return deliveries_send()
