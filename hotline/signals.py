"""Keep the desk's gazetteer current as the registry and the areas change (``hotline.gazetteer``). Single saves
and deletions only: bulk imports call ``gazetteer_rebuild`` (``manage.py gazetteer_rebuild``) afterwards."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from areas.models import Area, AreaBoundary
from hotline.gazetteer import gazetteer_areas_refresh, gazetteer_building_refresh, gazetteer_place_refresh
from registry.models import Building, Place


@receiver(pre_save, sender=Building)
def _building_before(sender: type[Building], instance: Building, **kwargs: Any) -> None:
    old = Building.objects.filter(pk=instance.pk).values_list("road", "estate").first() if instance.pk else None
    instance._gazetteer_before = old or ("", "")  # type: ignore[attr-defined]  # the names it leaves, if any


@receiver(post_save, sender=Building)
@receiver(post_delete, sender=Building)
def _building_changed(sender: type[Building], instance: Building, **kwargs: Any) -> None:
    road, estate = getattr(instance, "_gazetteer_before", ("", ""))
    gazetteer_building_refresh(instance.pk, roads={road, instance.road}, estates={estate, instance.estate})


@receiver(post_save, sender=Place)
@receiver(post_delete, sender=Place)
def _place_changed(sender: type[Place], instance: Place, **kwargs: Any) -> None:
    gazetteer_place_refresh(instance.pk)


@receiver(post_save, sender=Area)
@receiver(post_delete, sender=Area)
@receiver(post_save, sender=AreaBoundary)
@receiver(post_delete, sender=AreaBoundary)
def _areas_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """An import saves many areas in one transaction: refresh the area entries once, after it commits."""
    connection = transaction.get_connection()
    if any(pending[1] is gazetteer_areas_refresh for pending in connection.run_on_commit):
        return
    transaction.on_commit(gazetteer_areas_refresh)
