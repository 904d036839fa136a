from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The staff login; failed attempts are counted across processes by django-axes (accounts/throttle.py)."""

    error_messages = {**AuthenticationForm.error_messages, "invalid_login": _("用户名或密码错误。")}
