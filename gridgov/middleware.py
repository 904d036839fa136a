"""Request-wide behaviours of the web surface: no caching of dynamic responses, staff sessions that end, and a
busy database answered with 503 instead of a crash."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults

from gridgov import timesource

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]


class NoStoreMiddleware:
    """Every response made by a view (pages, API, Open311, files served through a view) is ``private, no-store``
    unless the view set its own Cache-Control: they may carry personal data. Static files are served by
    WhiteNoise before this and stay cacheable."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


# --- Session expiry -------------------------------------------------------------------------------------------
LOGIN_AT = "gridgov_login_at"
SEEN_AT = "gridgov_seen_at"
SEEN_RESOLUTION_SECONDS = 60  # the last-activity time is written at most once a minute, not on every request


class SessionExpiryMiddleware:
    """A staff session ends ``SESSION_MAX_HOURS`` after login and after ``SESSION_IDLE_MINUTES`` without a request:
    the user is logged out and sent to the login page (the API answers 401 ``session_expired``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timesource.now().timestamp()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            if _session_over(now, login_at, seen_at):
                return _session_end(request)
            if now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


def _session_over(now: float, login_at: float, seen_at: float) -> bool:
    return now - login_at > settings.SESSION_MAX_HOURS * 3600 or now - seen_at > settings.SESSION_IDLE_MINUTES * 60


def _session_end(request: HttpRequest) -> HttpResponse:
    logout(request)
    message = _("登录已超时，请重新登录")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "session_expired", "message": message}, status=401)
    messages.warning(request, message)
    return redirect_to_login(request.get_full_path())


# --- A busy database ------------------------------------------------------------------------------------------
RETRY_AFTER_SECONDS = 5
#: PostgreSQL's lock_not_available, serialization_failure and deadlock_detected.
BUSY_SQLSTATES = {"55P03", "40001", "40P01"}


def database_is_busy(error: BaseException | None) -> bool:
    """The write could not get its lock in time (SQLite's busy timeout, a PostgreSQL lock or serialization
    conflict): the transaction was rolled back whole and the same request may simply be sent again."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    text = str(error).lower()
    return "database is locked" in text or "database table is locked" in text


def database_busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After and the code ``database_busy``, in the caller's format: JSON for the API, the format
    of an adapter that declares its own in ``settings.BUSY_RESPONDERS``, the busy page for everything else."""
    message = _("系统繁忙，请稍后重试")
    responder = next((path for prefix, path in settings.BUSY_RESPONDERS.items() if request.path.startswith(prefix)), "")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "database_busy", "message": message}, status=503)
    elif responder:
        response = import_string(responder)(request, message)
    else:
        context = {"message": message, "is_post": request.method == "POST"}
        response = render(request, "web/busy.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a view's lock timeout into :func:`database_busy_response`."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_is_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        return database_busy_response(request)


def _busy_behind(error: BaseException | None) -> bool:
    """Whether a lock timeout is this error or the one it was raised while handling."""
    seen = 0
    while error is not None and seen < 10:
        if database_is_busy(error):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a session that could not be saved because the database was busy (Django reports it as
    "session interrupted") answers 503 like any other busy write."""
    if _busy_behind(exception):
        return database_busy_response(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a lock timeout raised outside a view still answers 503."""
    if _busy_behind(sys.exc_info()[1]):
        return database_busy_response(request)
    return defaults.server_error(request)
