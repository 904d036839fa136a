"""The resource registry (基础资源库, 人地物情事): 人进户、户进房、房进网格、网格进图."""

from registry.models.buildings import Building, House, Household
from registry.models.changes import BuildingFact, BuildingReport, RegistryChange
from registry.models.facilities import Component, ComponentPhoto, Place
from registry.models.jobs import ImportJob, ImportStatus
from registry.models.people import FloatingRegistration, Person, PersonTag, Residence, Tenancy
from registry.models.scoping import RegistryQuerySet

__all__ = [
    "Building",
    "BuildingFact",
    "BuildingReport",
    "Component",
    "ComponentPhoto",
    "FloatingRegistration",
    "House",
    "Household",
    "ImportJob",
    "ImportStatus",
    "Person",
    "PersonTag",
    "Place",
    "RegistryChange",
    "RegistryQuerySet",
    "Residence",
    "Tenancy",
]
