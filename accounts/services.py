"""Signing a phone in (a device token from a password) and revoking tokens, each audited."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, TokenKind, User
from accounts.selectors import tokens_live
from accounts.throttle import login_locked
from audit.models import AuditAction
from audit.services import Origin, audit_record
from gridgov.errors import Unauthenticated, ValidationFailed

#: The most devices one person keeps signed in: a new sign-in beyond it revokes the least recently used one.
DEVICE_TOKENS_MAX = 10
DEVICE_NAME_MAX = 100


def device_name_checked(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(_("请填写设备名称"), code="record_invalid", details={"field": "device_name"})
    if len(name) > DEVICE_NAME_MAX:
        raise ValidationFailed(
            _("设备名称不能超过 %(limit)d 个字") % {"limit": DEVICE_NAME_MAX},
            code="record_invalid",
            details={"field": "device_name"},
        )
    return name


def device_sign_in(request: HttpRequest, username: str, password: str, device_name: str) -> tuple[ApiToken, str]:
    """A device token for the person whose password this is; the clear key is returned once. Failures count in the
    login throttle's counters (the password goes to ``authenticate()`` only: never stored, never logged); a locked
    user name is refused with 429 even with the right password."""
    name = device_name_checked(device_name)
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise login_locked()
    if not isinstance(user, User):
        raise Unauthenticated(_("用户名或密码错误"), code="invalid_credentials")
    with transaction.atomic():
        token, key = ApiToken.issue(user, name, TokenKind.DEVICE)
        origin = Origin(user, "api", request.path[:300])
        audit_record(origin, AuditAction.CREATE, token, detail={"kind": TokenKind.DEVICE, "device_name": name})
        recent_first = (Coalesce("last_used_at", "created_at").desc(), "-pk")
        surplus = tokens_live().filter(user=user, kind=TokenKind.DEVICE).order_by(*recent_first)
        for old in surplus.exclude(pk=token.pk)[DEVICE_TOKENS_MAX - 1 :]:
            token_revoke(origin, old, reason="device_limit")
    # What a login does besides the session: axes starts the user's failure count again, last_login is noted.
    user_logged_in.send(sender=User, request=request, user=user)
    return token, key


def token_revoke(origin: Origin, token: ApiToken, *, reason: str = "") -> ApiToken:
    """Revoke a token (its tracker id stops working too); revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    detail = {"reason": reason} if reason else {}
    changes = {"revoked_at": [None, token.revoked_at.isoformat()]}
    audit_record(origin, AuditAction.UPDATE, token, changes=changes, detail=detail)
    return token
