"""The versioned JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from accounts.api import router as accounts_router
from accounts.selectors import token_authenticate, token_on_request
from alerts.api import router as alerts_router
from areas.api import router as areas_router
from bulletins.api import router as bulletins_router
from cases.api import router as cases_router
from diary.api import router as diary_router
from evaluation.api import router as evaluation_router
from fieldwork.api import router as fieldwork_router
from gridgov.apikit import has_nul
from gridgov.errors import DomainError, RateLimited, ValidationFailed
from gridgov.idempotency import answer_keep, replay_or_claim
from notifications.api import router as notifications_router
from registry.api import router as registry_router
from reports.api import router as reports_router
from stats.api import router as stats_router
from visits.api import router as visits_router
from visits.planning_api import router as visits_planning_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gg_…`` — tokens issued per user and device, revocable, ending when idle. The token
    is kept on the request for the endpoints that name the current device (``token_of_request``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_authenticate(token)
        if row is None:
            return None
        request.user = row.user
        token_on_request(request, row)
        return row.user


class TextParser(Parser):
    """JSON bodies, query strings and forms, refusing NUL characters (which no text column can hold)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if has_nul(data):
            raise ValueError("NUL character in the body")  # django-ninja answers 400 (bad_request_body)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        if has_nul(result):
            raise ValidationFailed("参数中含有不允许的控制字符（NUL）", code="bad_request_body")
        return result


api = NinjaAPI(
    title="gridgov API",
    version="1",
    urls_namespace="api-v1",
    parser=TextParser(),
    auth=[TokenAuth(), SessionAuth()],
    description="网格化社会治理平台接口。错误响应统一为 {code, message, details}。",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = [
        {"field": ".".join(str(part) for part in item.get("loc", [])[1:]), "message": item.get("msg", "")}
        for item in error.errors
    ]
    first = details[0] if details else {"field": "", "message": ""}
    return api.create_response(
        request,
        {"code": "validation_failed", "message": f"参数无效：{first['field']} {first['message']}", "details": details},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "需要登录或有效的接口令牌", "details": None}, status=401
    )


#: Codes of the refusals django-ninja raises itself (an unreadable body, a throttle).
HTTP_ERROR_CODES = {400: "bad_request_body", 403: "forbidden", 404: "not_found", 429: "rate_limited"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(error.status_code, "invalid")
    message = "请求体无法解析（应为 JSON 对象）" if code == "bad_request_body" else str(error.message)
    return api.create_response(request, {"code": code, "message": message, "details": None}, status=error.status_code)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _unreadable_body(request: HttpRequest, error: Exception) -> HttpResponse:
    """A multipart body without a boundary or otherwise broken, too many fields, too large a body."""
    message = "请求体过大" if isinstance(error, RequestDataTooBig) else "请求体无法解析（multipart 格式有误）"
    return api.create_response(request, {"code": "bad_request_body", "message": message, "details": None}, status=400)


# Idempotency-Key on every change (gridgov/idempotency.py): a claim after authentication, the answer kept after.
api.add_decorator(replay_or_claim, mode="operation")
api.add_decorator(answer_keep, mode="view")
api.add_router("/", accounts_router)
api.add_router("/", areas_router)
api.add_router("/", registry_router)
api.add_router("/", cases_router)
api.add_router("/", notifications_router)
api.add_router("/", fieldwork_router)
api.add_router("/", visits_planning_router)
api.add_router("/", visits_router)
api.add_router("/", diary_router)
api.add_router("/", bulletins_router)
api.add_router("/", stats_router)
api.add_router("/", alerts_router)
api.add_router("/", evaluation_router)
api.add_router("/", reports_router)
