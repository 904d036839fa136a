"""What every /api/v1/ operation shares: the error body, the statuses it may answer with, bounded numbers and
pagination. A route declares its answers in one line: ``response={200: CaseOut, **ERRORS}``."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Path, Schema
from pydantic import BaseModel, ModelWrapValidatorHandler, model_validator

#: The largest id or count a request may carry: fits a 32-bit column on every database we run on.
MAX_INT = 2**31 - 1
MAX_OFFSET = 10**9
MAX_PAGE_SIZE = 500


class ProblemOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """``{code, message, details}``: ``code`` is a stable machine code, ``message`` is for people, ``details``
    lists the fields at fault (or is null)."""

    code: str
    message: str
    details: list[ProblemOut] | None = None


#: 400 bad input · 401 not signed in · 403 not permitted · 404 absent or not yours · 409 state conflict ·
#: 422 request does not match the schema · 429 too many requests · 503 the database is busy.
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429, 503)
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(ERROR_STATUSES, ErrorOut)

#: An integer bounded for the database (counts, minutes, levels); ids in a path or a body.
BoundedInt = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
RecordId = Annotated[int, Field(ge=1, le=MAX_INT)]
PathId = Annotated[int, Path(ge=1, le=MAX_INT)]
#: A case number (``YYYYMMDD`` + serial) and an area code in a path.
CaseNumber = Annotated[str, Path(pattern=r"^[0-9]{1,20}$")]
AreaCode = Annotated[str, Path(pattern=r"^[0-9]{1,15}$")]


def has_nul(value: Any) -> bool:
    """Whether a parsed request value holds a NUL character anywhere (no database text column can store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(inner) for key, inner in value.items())
    if isinstance(value, list):
        return any(has_nul(inner) for inner in value)
    return False


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(**constraints: Any) -> Any:
    """A body field a client may leave out (it is then left unchanged) but may not send as ``null``."""
    return Field(None, json_schema_extra=_without_default, **constraints)


class BodyIn(Schema):
    """A JSON request body: an object, never a list, a string or a number."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        if not isinstance(data, dict | BaseModel):
            raise ValueError("请求体应为 JSON 对象")
        return handler(data)


class Window(Schema):
    """``limit``/``offset`` paging of a list."""

    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def of(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset[self.offset : self.offset + self.limit]


class Paging(Schema):
    """``page``/``page_size`` paging of a list (pages count from 1)."""

    page: int = Field(1, ge=1, le=MAX_OFFSET)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
