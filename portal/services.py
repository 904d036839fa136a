"""The portal's own rules: one-time codes for a resident's phone, and the private follow link of a submission."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import crypto
from gridgov.errors import ValidationFailed
from gridgov.phones import MOBILE
from gridgov.ratelimit import rate_allow
from notifications.services import notify_phone
from portal.models import OneTimeCode

MAX_ATTEMPTS = 5


class TooMany(Exception):
    """A caller or a phone asked too often; answered with 429."""


def phone_clean(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not MOBILE.match(phone):
        raise ValidationFailed(_("请输入 11 位手机号码"), code="phone_invalid", details={"field": "phone"})
    return phone


def _code_hash(phone: str, code: str) -> str:
    """Keyed (HMAC under the field keys' hash key): a reader of the table cannot try the million codes."""
    return crypto.lookup_hash(f"portal-code:{phone}:{code}")


def code_send(phone: str) -> OneTimeCode:
    """Text a 6-digit code to ``phone`` (valid ``PORTAL_CODE_MINUTES``); at most one a minute per phone."""
    phone = phone_clean(phone)
    phone_hash = crypto.lookup_hash(phone)
    if not rate_allow(f"portal-code-phone:{phone_hash}", 1, 60):
        raise TooMany(_("验证码已发送，请一分钟后再试"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        row = OneTimeCode.objects.create(
            phone_hash=phone_hash,
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.PORTAL_CODE_MINUTES),
        )
        minutes = settings.PORTAL_CODE_MINUTES
        notify_phone(  # the code is kept encrypted in the outbox only until it is sent
            phone,
            title=_("验证码 {code}，%(minutes)d 分钟内有效。请勿告诉他人。") % {"minutes": minutes},
            cause=f"portal_code:{row.pk}",
            template="verification_code",
            secrets={"code": code},
        )
    return row


def code_verify(phone: str, code: str) -> bool:
    """True once for the latest unexpired code of the phone; five wrong tries spend the code."""
    phone_hash = crypto.lookup_hash(phone)
    now = timezone.now()
    row = OneTimeCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now).first()
    if row is None or row.attempts >= MAX_ATTEMPTS:
        return False
    if not hmac.compare_digest(row.code_hash, _code_hash(phone, (code or "").strip())):
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return False
    return OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) == 1


def follow_token_for(submission_key: str) -> str:
    """The private follow token of one submission, derived from the form's key: a retried submission (same
    key) shows the same link, and nobody can derive it without the site's secret."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"portal-follow:{submission_key}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()
