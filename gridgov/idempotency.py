"""``Idempotency-Key`` on every POST (PUT, PATCH, DELETE) under /api/v1/: a retried request runs once.

An app with a poor connection sends a change again when it saw no answer. With the header ``Idempotency-Key: <1–255
characters>`` the first answer is kept per (user, key) beside a digest of the request (method, path, body; a
multipart body as its fields and each file's SHA-256):

* the same key and the same request again: the first answer is sent again (status and body, with
  ``Idempotent-Replayed: true``) and nothing runs;
* the same key and another request: 422 ``idempotency_key_reused``; a key over 255 characters: 400
  ``idempotency_key_invalid``;
* two at once: one runs, the other waits a moment for its answer, else 409 ``idempotency_key_in_flight`` (retry);
* answers of 500 and above are not kept (nor a request that raised): the next retry runs again.

Keys belong to the signed-in user (anonymous requests, such as signing in for a token, keep nothing: their answer
may hold a secret). Two hooks of the API (``gridgov/api.py``): :func:`replay_or_claim` around each operation's
function, after authentication and input parsing, and :func:`answer_keep` around the whole operation, which sees the
rendered answer. Rows are swept after ``IDEMPOTENCY_KEEP_DAYS`` (:func:`idempotent_requests_sweep`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from accounts.models import IdempotentRequest, User
from gridgov.errors import Conflict, Unprocessable, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX = 255
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: How long a duplicate waits for the first request's answer before it is told 409 (seconds).
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
#: A request still marked running after this long died with its process: a retry may run it again.
ABANDONED_AFTER = dt.timedelta(minutes=5)
#: The request attribute that carries this request's claim from the first hook to the second.
CLAIM = "_gridgov_idempotent_claim"


def request_digest(request: HttpRequest) -> str:
    """SHA-256 of the method, the path with its query and the body (a multipart body: its fields and the SHA-256
    of each file, in a fixed order; the files are left readable from their start)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field\0{name}\0{value}\0".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                content = hashlib.sha256()
                upload.seek(0)
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                digest.update(f"file\0{name}\0{content.hexdigest()}\0".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _key_of(request: HttpRequest) -> str | None:
    if request.method not in METHODS or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not 1 <= len(key) <= KEY_MAX:
        raise ValidationFailed(
            f"Idempotency-Key 应为 1–{KEY_MAX} 个字符", code="idempotency_key_invalid", details={"field": HEADER}
        )
    return key


def _claimed(user: User, key: str, digest: str) -> IdempotentRequest | None:
    """A new claim on ``key``, or ``None`` when another request holds it."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, key=key, request_hash=digest, created_at=timezone.now())
    except IntegrityError:
        return None


def claim_or_answer(user: User, key: str, digest: str) -> tuple[IdempotentRequest, bool]:
    """``(row, True)``: this request runs and its answer goes into ``row``; ``(row, False)``: ``row`` holds the
    first answer. Refuses another request under the same key (422) and one that keeps running (409)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        claim = _claimed(user, key, digest)
        if claim is not None:
            return claim, True
        row = IdempotentRequest.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # the first request failed and let go of the key meanwhile: claim it again
        if row.request_hash != digest:
            raise Unprocessable("该幂等键已用于另一个请求", code="idempotency_key_reused", details={"field": HEADER})
        if row.status is not None:
            return row, False
        now = timezone.now()
        if row.created_at < now - ABANDONED_AFTER:
            taken = IdempotentRequest.objects.filter(pk=row.pk, status__isnull=True, created_at=row.created_at)
            if taken.update(created_at=now):
                row.created_at = now
                return row, True
            continue
        if time.monotonic() >= deadline:
            raise Conflict("相同幂等键的请求正在处理，请稍后重试", code="idempotency_key_in_flight")
        time.sleep(POLL_SECONDS)


def replayed(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status or 200, content_type=row.content_type or None)
    response[REPLAYED_HEADER] = "true"
    return response


def replay_or_claim(view: Callable[..., Any]) -> Callable[..., Any]:
    """Around an operation's function (after authentication and parsing): the kept answer of a retry, or a claim on
    the key before the function runs."""

    @functools.wraps(view)
    def claimed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = getattr(request, "auth", None)  # the user ninja's authentication found (unset: an open operation)
        key = _key_of(request) if isinstance(user, User) else None
        if key is None or not isinstance(user, User):  # (both, for the type checker)
            return view(request, *args, **kwargs)
        row, runs = claim_or_answer(user, key, request_digest(request))
        if not runs:
            return replayed(row)
        setattr(request, CLAIM, row)
        return view(request, *args, **kwargs)

    return claimed


def answer_keep(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Around a whole operation: keeps the rendered answer of a claimed request (one below 500), or lets go of the
    key when the request failed."""

    @functools.wraps(run)
    def kept(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            _release(request)
            raise
        row: IdempotentRequest | None = getattr(request, CLAIM, None)
        if row is None:
            return response
        if response.status_code >= 500 or not isinstance(response, HttpResponse):
            _release(request)
            return response
        row.status = response.status_code
        row.content_type = response.get("Content-Type", "")[:100]
        row.body = response.content
        row.save(update_fields=["status", "content_type", "body"])
        return response

    return kept


def _release(request: HttpRequest) -> None:
    row: IdempotentRequest | None = getattr(request, CLAIM, None)
    if row is not None:
        IdempotentRequest.objects.filter(pk=row.pk, status__isnull=True).delete()


def idempotent_requests_sweep() -> dict[str, int]:
    """Forget the answers kept longer than ``IDEMPOTENCY_KEEP_DAYS`` (a periodic job)."""
    before = timezone.now() - dt.timedelta(days=settings.IDEMPOTENCY_KEEP_DAYS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=before).delete()
    return {"deleted": deleted}
