from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import FIELD_ROLES, Role

if TYPE_CHECKING:
    from accounts.access import Scope


class DepartmentKind(models.TextChoices):
    COMMAND_CENTRE = "command_centre", _("指挥中心")
    STREET_OFFICE = "street_office", _("街道办事处")
    COMMUNITY_COMMITTEE = "community_committee", _("社区居委会")
    SANITATION = "sanitation", _("环卫")
    ENFORCEMENT = "enforcement", _("城管执法")
    MUNICIPAL = "municipal", _("市政")
    LANDSCAPING = "landscaping", _("园林绿化")
    WATER = "water", _("供水排水")
    HOUSING = "housing", _("住房建设")
    POLICE = "police", _("公安")
    MARKET = "market", _("市场监管")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    OTHER = "other", _("其他")


class Department(models.Model):
    """A responsible unit (专业部门/责任单位). Its ``area`` is the area it serves, if any."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("服务区域"),
        null=True,
        blank=True,
        related_name="serving_departments",
        on_delete=models.PROTECT,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
        help_text=_("两级：大队 → 中队。没有上级的部门自成一级"),
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Departments are two levels deep (大队 → 中队): a parent is a top-level department, never itself, and a
        department with its own units cannot be put under another."""
        super().clean()
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("上级部门不能是本部门")})
        parent = Department.objects.filter(pk=self.parent_id).values_list("parent_id", flat=True).first()
        if parent is not None:
            raise ValidationError({"parent": _("上级部门本身已有上级：部门只分两级（大队 → 中队）")})
        if self.pk is not None and Department.objects.filter(parent_id=self.pk).exists():
            raise ValidationError({"parent": _("本部门下已有中队，不能再设上级部门")})


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, related_name="members", on_delete=models.SET_NULL
    )
    areas = models.ManyToManyField("areas.Area", verbose_name=_("数据范围"), blank=True, related_name="scoped_users")

    #: The data scope, computed once per user object by :func:`accounts.access.user_scope`.
    _gridgov_scope: Scope

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> list[Role]:
        """The user's roles, in the order of :class:`Role` (read once per loaded user: a page asks often)."""
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]

    @property
    def works_in_field(self) -> bool:
        """Whether the user holds a field role (grid worker, grid leader, supervisor, building head)."""
        return any(role in FIELD_ROLES for role in self.roles)

    def has_role(self, role: str) -> bool:
        return any(group.name == role for group in self.groups.all())


class TokenKind(models.TextChoices):
    DEVICE = "device", _("设备")
    INTEGRATION = "integration", _("系统对接")


#: The characters of a tracker id (the OsmAnd ``id`` a background GPS client sends): lower-case letters and digits.
TRACKER_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
TRACKER_LENGTH = 16


class ApiToken(models.Model):
    """A bearer token: a phone signed in with a password (``device``, with the ``tracker_id`` its background GPS
    client sends) or a system an administrator connected (``integration``). Only the key's SHA-256 is stored; a
    token unused for ``TOKEN_IDLE_DAYS`` no longer authenticates (:func:`accounts.selectors.token_live`)."""

    PREFIX = "gg_"

    user = models.ForeignKey(User, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=TokenKind.choices, default=TokenKind.INTEGRATION)
    key_hash = models.CharField(max_length=64, unique=True)
    tracker_id = models.CharField(_("轨迹设备标识"), max_length=TRACKER_LENGTH, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name}（{self.user}）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, kind: str = TokenKind.INTEGRATION) -> tuple[ApiToken, str]:
        """Create a token; the clear key is returned once and never stored. A device token gets a tracker id."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        tracker_id = None
        if kind == TokenKind.DEVICE:
            tracker_id = "".join(secrets.choice(TRACKER_ALPHABET) for _position in range(TRACKER_LENGTH))
        token = cls.objects.create(user=user, name=name, kind=kind, key_hash=cls.hash_key(key), tracker_id=tracker_id)
        return token, key

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class IdempotentRequest(models.Model):
    """The first answer to a POST under /api/v1/ that carried an ``Idempotency-Key`` (gridgov/idempotency.py): a
    retry with the same key and the same request gets this answer again instead of running twice. A row without a
    ``status`` is a request still running. Swept after ``IDEMPOTENCY_KEEP_DAYS``."""

    user = models.ForeignKey(User, related_name="+", on_delete=models.CASCADE)
    key = models.CharField(_("幂等键"), max_length=255)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(_("响应内容"), default=bytes)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
