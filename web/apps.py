from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class WebConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "web"
    default = True
    verbose_name = _("界面")

    def ready(self) -> None:
        admin.site.site_header = _("网格化社会治理平台 · 系统管理")
        admin.site.site_title = _("系统管理")
        admin.site.index_title = _("基础数据与系统设置")


# The third-party apps the admin lists, under Chinese names (their English model and field names are translated
# in locale/zh_Hans/LC_MESSAGES/django.po).
class LoginGuardConfig(AxesAppConfig):
    verbose_name = _("登录保护")


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("后台任务")  # type: ignore[assignment]  # the base class declares a plain str
