from __future__ import annotations

import io

import pytest
from docx import Document

from audit.services import Origin
from gridgov.testing import World


def origin(world: World, persona: str, channel: str = "page") -> Origin:
    return Origin(world.user(persona), channel)


def docx_bytes(text: str = "会议纪要") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def worker(world: World):
    return world.user("grid_worker_a")
