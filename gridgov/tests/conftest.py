"""One scene for the whole access kit: the test world and, in grid A and in grid C (another street), a building
with a house, a household and a person, a place, a component with a photo, a case and a 12345 ticket; an import
job of the community staff, a knowledge article and a saved case filter of the dispatcher. Built once per module
inside a transaction rolled back at the end; each test runs in a savepoint of it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from accounts.models import ApiToken, TokenKind
from accounts.roles import Role
from alerts.models import WarningAlert
from audit.services import Origin
from bulletins.services import bulletin_publish
from cases.models import Category, SavedFilter
from cases.photos import photo_check
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from diary.models import DiaryAttachment, DiaryEntry
from fieldwork.models import Patrol
from gridgov.testing import IN_A, IN_C, World, jpeg, make_user, world_build
from hotline import services as hotline
from hotline.models import KnowledgeArticle
from notifications.models import Notification
from registry.changes import change_propose
from registry.models import Building, BuildingReport, ImportJob, Person
from registry.services import component_photo_add, component_save
from registry.tests.factories import HouseholdFactory, PersonFactory, PlaceFactory
from reports.models import ReportShare, SavedReport
from visits.models import DueVisit, Visit, VisitPhoto, VisitPlan

POINTS = {"a": IN_A, "c": IN_C}


@dataclass
class Scene:
    world: World
    names: dict[str, object] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def format(self, template: str) -> str:
        return template.format(**self.names)

    def sign_in(self, personas: Iterable[str]) -> None:
        """Fresh signed-in clients for this test (sessions live in the test's own savepoint)."""
        self.clients = {persona: self.world.client(persona) for persona in dict.fromkeys(personas)}

    def client(self, persona: str) -> Client:
        return self.clients[persona]


def _jpeg() -> SimpleUploadedFile:
    return jpeg((8, 8), color=(10, 20, 30))


def scene_build() -> Scene:
    categories_ensure()
    world = world_build()
    scene = Scene(world)
    names = scene.names
    names["code_a"], names["code_c"] = world.grid_a.code, world.grid_c.code
    names["worker_a"] = world.user("grid_worker_a").pk
    garbage = Category.objects.get(kind="event", code="0102")
    names["service_code"], names["service_id"] = garbage.service_code, garbage.pk
    manhole = Category.objects.get(kind="component", code="0101")
    for side, grid in (("a", world.grid_a), ("c", world.grid_c)):
        household = HouseholdFactory.create(house__building__grid=grid)
        person = PersonFactory.create(name="张三", grid=grid, house=household.house, household=household)
        place = PlaceFactory.create(grid=grid)
        lon, lat = POINTS[side]
        administrator = Origin(world.users["administrator"], "api")
        component = component_save(administrator, {"category": manhole, "lon": lon, "lat": lat})
        photo = component_photo_add(administrator, component, photo_check(_jpeg()))
        case = report_submit(
            Origin(world.users["dispatcher"], "api"),
            ReportData(
                source="hotline",
                description="路边有暴露垃圾",
                longitude=lon,
                latitude=lat,
                category_id=garbage.pk,
                photos=[photo_check(_jpeg())],
            ),
        ).case
        ticket = hotline.ticket_take(
            Origin(world.users["intake_clerk"], "page"),
            hotline.TicketData(
                caller_phone="13800001111",
                request_type="complaint",
                content="垃圾没人清运",
                longitude=lon,
                latitude=lat,
                category_id=garbage.pk,
                submission_key=uuid.uuid4().hex,
            ),
        )
        names.update(
            {
                f"person_{side}": person.pk,
                f"building_{side}": household.house.building_id,
                f"house_{side}": household.house_id,
                f"household_{side}": household.pk,
                f"place_{side}": place.pk,
                f"component_{side}": component.pk,
                f"photo_{side}": photo.pk,
                f"case_{side}": case.number,
                f"case_photo_{side}": case.photos.get().pk,
                f"ticket_{side}": ticket.number,
            }
        )
    job = ImportJob.objects.create(
        kind="persons", file=_jpeg(), file_name="p.xlsx", created_by=world.user("community_staff")
    )
    names["job"] = job.pk
    names["message"] = Notification.objects.create(
        user=world.user("dispatcher"), title="案卷待派遣", link="/cases/", cause="scene:message"
    ).pk
    names["saved_filter"] = SavedFilter.objects.create(
        user=world.user("dispatcher"), name="红灯", query="queue=overdue"
    ).pk
    token = ApiToken.issue(world.user("grid_worker_a"), "手机", TokenKind.DEVICE)[0]
    names["token"], names["tracker_a"] = token.pk, token.tracker_id
    names["article"] = KnowledgeArticle.objects.create(title="居住证办理", keywords="居住证", answer="到社区办理").pk
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])
    names["worker_c"] = worker_c.pk
    started = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    for side, worker, grid in (("a", world.user("grid_worker_a"), world.grid_a), ("c", worker_c, world.grid_c)):
        names[f"patrol_{side}"] = Patrol.objects.create(worker=worker, grid=grid, started_at=started).pk
    # Registry changes from the field: a building head's report and a pending change in grid A and in grid C.
    administrator = Origin(world.user("administrator"), "api")
    for side, grid in (("a", world.grid_a), ("c", world.grid_c)):
        report = BuildingReport.objects.create(
            building=Building.objects.get(pk=str(names[f"building_{side}"])),
            grid=grid,
            reporter=administrator.actor,
            reported_on=started.date(),
        )
        person = Person.objects.get(pk=str(names[f"person_{side}"]))
        change = change_propose(
            administrator,
            "person_update",
            "other",
            grid,
            {"work_place": "新单位"},
            person=person,
            building_report=report,
        )
        names[f"building_report_{side}"], names[f"change_{side}"] = report.pk, change.pk
    # Visit plans: a plan of each community and a due visit of each side's person.
    for side, worker, grid in (("a", world.user("grid_worker_a"), world.grid_a), ("c", worker_c, world.grid_c)):
        plan = VisitPlan.objects.create(
            name=f"独居老人走访{side}", tag_category="elderly_alone", interval=7, area=grid.parent
        )
        names[f"plan_{side}"], names[f"community_{side}_id"] = plan.pk, grid.parent_id
        names[f"due_{side}"] = DueVisit.objects.create(
            plan=plan,
            person_id=int(str(names[f"person_{side}"])),
            grid=grid,
            worker=worker,
            window_start=dt.date(2026, 1, 1),
            due_on=dt.date(2026, 1, 8),
        ).pk
    # 民情日志: an entry of each side's worker, with an attachment
    for side, worker, grid in (("a", world.user("grid_worker_a"), world.grid_a), ("c", worker_c, world.grid_c)):
        entry = DiaryEntry.objects.create(author=worker, grid=grid, day=started.date(), title="入户走访")
        attachment = DiaryAttachment(entry=entry, name="a.jpg", content_type="image/jpeg", size=1, sha256="0" * 64)
        attachment.file.save("scene.jpg", _jpeg(), save=True)
        names[f"entry_{side}"], names[f"attachment_{side}"] = entry.pk, attachment.pk
    # 通报: a month's bulletin of street 1 (grid A's) and of street 2 (grid C's).
    for side, street in (("a", "110101001"), ("c", "110101002")):
        names[f"bulletin_{side}"] = bulletin_publish("month", "2026-01", street).bulletin.pk
    # Visits (走访) in grid A and in grid C, each with a photo.
    for side, worker, grid in (("a", world.user("grid_worker_a"), world.grid_a), ("c", worker_c, world.grid_c)):
        person = Person.objects.get(pk=int(str(names[f"person_{side}"])))
        visit = Visit.objects.create(worker=worker, grid=grid, visited_at=started, purposes=["policy"], person=person)
        names[f"visit_{side}"] = visit.pk
        visit_photo = VisitPhoto.objects.create(visit=visit, file=_jpeg(), content_type="image/jpeg")
        names[f"visit_photo_{side}"] = visit_photo.pk
    # 预测预警: an open alert of garbage reports in grid A and in grid C.
    for side, grid in (("a", world.grid_a), ("c", world.grid_c)):
        names[f"alert_{side}"] = WarningAlert.objects.create(
            grid=grid, category=garbage, day=started.date(), observed=9, expected=1.2, probability=1e-4,
            threshold=6, method="poisson", baseline=[1, 2, 1, 0, 2, 1, 1, 2], created_at=started,
        ).pk  # fmt: skip
    # 自定报表: the street leader's report shared with community staff and dispatchers; a dispatcher's not shared.
    spec = {"rows": ["area:street"], "measures": ["count:report"], "filters": {"period": "2026-01"}}
    shared = SavedReport.objects.create(name="街道上报数", owner=world.user("street_leader"), spec=spec)
    ReportShare.objects.bulk_create(
        [ReportShare(report=shared, role=role) for role in ("community_staff", "dispatcher")]
    )
    names["report_a"] = shared.pk
    names["report_c"] = SavedReport.objects.create(name="我的上报数", owner=world.user("dispatcher"), spec=spec).pk
    return scene


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = scene_build()
        yield built
        transaction.set_rollback(True)
