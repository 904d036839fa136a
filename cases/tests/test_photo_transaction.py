"""Photos of 核实 (verify), 处置反馈 (report_result) and 核查 (check) are written in the transaction of their
event: when storing a photo fails, neither the event nor any photo row nor any stored file is left, and the
case is as it was."""

import errno
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.test import override_settings

from cases import services
from cases.models import Case, CaseEvent, CasePhoto
from cases.tests.test_lifecycle import run_to_dispatched
from gridgov.testing import jpeg


class FullDiskStorage(FileSystemStorage):
    """A disk with room for ``room`` more files, then "no space left on device"."""

    room = 0

    def _save(self, name: str, content: File) -> str:
        if FullDiskStorage.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        FullDiskStorage.room -= 1
        return super()._save(name, content)  # type: ignore[misc]  # django-stubs leave out Storage._save


FULL_DISK = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}


def at_verify(desk) -> tuple[Case, str, str]:
    case = desk.report("intake_clerk", source="hotline")
    case = services.case_verify_request(desk.origin("intake_clerk"), case, desk.world.users["grid_worker_a"])
    return case, "grid_worker_a", "verify"


def at_report_result(desk) -> tuple[Case, str, str]:
    return run_to_dispatched(desk), "department_handler", "report_result"


def at_check(desk) -> tuple[Case, str, str]:
    case = run_to_dispatched(desk)
    case = services.case_report_result(desk.origin("department_handler"), case, "已清理")  # checked by rule
    return case, "grid_worker_a", "check"


def stored_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.mark.parametrize("room", [0, 2], ids=["first file", "after the original"])
@pytest.mark.parametrize("arrive", [at_verify, at_report_result, at_check])
def test_a_failed_photo_write_leaves_neither_event_nor_photo(desk, arrive, room):
    case, persona, action = arrive(desk)
    before = (case.status, case.version, CaseEvent.objects.count(), CasePhoto.objects.count(), stored_files())
    client = desk.world.client(persona)
    client.raise_request_exception = False
    FullDiskStorage.room = room  # 2: the first photo's original and thumbnail are written, its public copy fails
    with override_settings(STORAGES=FULL_DISK):
        response = client.post(
            f"/cases/{case.number}/act/{action}/", {"note": "现场照片", "passed": "1", "photos": [jpeg(), jpeg()]}
        )
    assert response.status_code == 500
    case.refresh_from_db()
    after = (case.status, case.version, CaseEvent.objects.count(), CasePhoto.objects.count(), stored_files())
    assert after == before


@pytest.mark.parametrize("arrive", [at_verify, at_report_result, at_check])
def test_with_room_on_the_disk_the_event_and_its_photos_are_written_together(desk, arrive):
    case, persona, action = arrive(desk)
    client = desk.world.client(persona)
    response = client.post(
        f"/cases/{case.number}/act/{action}/", {"note": "现场照片", "passed": "1", "photos": [jpeg(), jpeg()]}
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    # (处置反馈 is followed by the check the system gives by rule, an event without photos)
    event = CaseEvent.objects.filter(case=case).exclude(action="check_request").latest("at", "id")
    assert event.photos.count() == 2
