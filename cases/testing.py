"""Helpers for tests of the channels that feed cases (portal, hotline, Open311): walk a case through the loop
with the test world's personas, and make photos that carry an EXIF location."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from audit.services import Origin
from cases import services
from cases.models import Case
from cases.photos import CheckedPhoto
from gridgov.testing import World

# 39°54'36" N, 116°24'18" E: inside grid A of the test world.
GPS_EXIF = {1: "N", 2: (39.0, 54.0, 36.0), 3: "E", 4: (116.0, 24.0, 18.0)}


def jpeg_bytes(size: tuple[int, int] = (64, 48), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (40, 120, 200))
    buffer = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif.get_ifd(0x8825).update(GPS_EXIF)
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def png_of_pixels(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of ``width`` × ``height`` pixels written row by row without building the image in
    memory: 13,000 × 13,000 pixels compress to about 20 KB (the shape of a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def has_gps(content: bytes) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        return bool(image.getexif().get_ifd(0x8825))


def case_run_to_closed(world: World, case: Case) -> Case:
    """File, dispatch to the world's department, handle with an after photo, check and close."""

    def origin(persona: str) -> Origin:
        return Origin(world.users[persona], "api")

    after = CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)
    case = services.case_file(origin("shift_leader"), case)
    case = services.case_dispatch(origin("dispatcher"), case, world.department)
    case = services.case_accept_task(origin("department_handler"), case)
    case = services.case_report_result(origin("department_handler"), case, "已处理", photos=[after])
    worker = world.users["grid_worker_a"] if case.grid == world.grid_a else world.users["grid_worker_b"]
    case = services.case_check_request(origin("dispatcher"), case, worker)
    persona = "grid_worker_a" if case.grid == world.grid_a else "grid_worker_b"
    case = services.case_check(origin(persona), case, passed=True, note="已核查", photos=[after])
    return services.case_close(origin("shift_leader"), case)
