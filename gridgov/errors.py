"""Domain errors with stable machine codes, shared by pages, the JSON API and commands.

Services and access helpers raise these; the page middleware and the API handler translate them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Problem = dict[str, str]


def problems_of(details: Any, message: str) -> list[Problem] | None:
    """``details`` in the one shape every consumer reads: a list of ``{"field", "message"}``.

    A bare ``{"field": "phone"}`` takes the error's own message (an ``index`` joins the field as ``lon.3``);
    a dict of context values (``{"version": 7}``) becomes one entry per key with the value as its message.
    """
    if details is None:
        return None
    problems: list[Problem] = []
    for item in details if isinstance(details, list) else [details]:
        if not isinstance(item, dict):
            problems.append({"field": "", "message": str(item)})
        elif "field" in item or "message" in item:
            field = str(item.get("field") or "")
            if item.get("index") is not None:
                field = f"{field}.{item['index']}"
            problems.append({"field": field, "message": str(item.get("message") or message)})
        else:
            problems.extend({"field": str(key), "message": str(value)} for key, value in item.items())
    return problems


class DomainError(Exception):
    """A refused request. ``code`` is stable and machine-readable; ``message`` is for people; ``details`` is
    ``None`` or a list of ``{"field", "message"}``."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = problems_of(details, str(message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class NotFound(DomainError):
    """Does not exist, or is not the user's to see: both answer the same."""

    code = "not_found"
    status = 404


class Unauthenticated(DomainError):
    """Not signed in, or the credentials given are wrong."""

    code = "unauthenticated"
    status = 401


class RateLimited(DomainError):
    """Too many requests: try again after ``retry_after`` seconds (sent as the ``Retry-After`` header)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int, code: str | None = None, details: Any = None) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = retry_after


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 400


class Unprocessable(DomainError):
    """Well-formed input that a rule accepts only with more of it (a reason for a choice, …)."""

    code = "unprocessable"
    status = 422


class Conflict(DomainError):
    """The request is valid but the record is not in a state that allows it (or changed meanwhile)."""

    code = "conflict"
    status = 409


class RecordInvalid(ValidationFailed):
    """One record breaks one or more rules; ``details`` lists ``{"field", "message"}``."""

    code = "record_invalid"

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("；".join(problem["message"] for problem in problems), details=problems)


class Problems:
    """Collects every problem of one record, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            raise RecordInvalid(self.items)


def form_errors_add(form: Any, error: DomainError) -> None:
    """Show a service's refusal on the form: each problem on its field (or the form when it has none)."""
    problems = error.details or [{"field": "", "message": str(error.message)}]
    for problem in problems:
        field = problem["field"]
        form.add_error(field if field in form.fields else None, problem["message"])


class DomainErrorMiddleware:
    """Renders a DomainError raised by a page view as an error page with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(request, "web/error.html", {"error": exception}, status=exception.status)
