"""Background sending: the rows written by a request or a task are sent here, never in the request; deferred
sweeps retry what failed. Arguments are row ids only (the task table keeps its arguments)."""

from __future__ import annotations

from django_tasks import task

from notifications import services


@task()
def deliveries_deliver(ids: list[int]) -> dict[str, int]:
    """Send the given outbox rows (those still due; safe to run twice)."""
    return services.deliveries_send(ids)


@task()
def deliveries_sweep() -> dict[str, int]:
    """Send every due row, and put back in line what a stopped worker left (queued when a retry falls due)."""
    return services.deliveries_sweep()
