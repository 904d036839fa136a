"""Messages under /api/v1/: what the badge counts, for an app holding a token."""

from __future__ import annotations

from ninja import Router, Schema

from gridgov.apikit import ERRORS
from gridgov.http import AuthenticatedHttpRequest
from notifications.services import waiting_count

router = Router(tags=["messages"])


class MessageCountOut(Schema):
    waiting: int


@router.get(
    "/messages/count",
    response={200: MessageCountOut, **ERRORS},
    summary="How many unread messages still need the user (the badge)",
)
def message_count(request: AuthenticatedHttpRequest) -> dict[str, int]:
    return {"waiting": waiting_count(request.user.pk)}
