from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        # Django loads models only after every app config: the roles table (which names auth's groups) is
        # imported once the registry is ready, here.
        from accounts.roles import roles_sync

        post_migrate.connect(lambda sender, **kwargs: roles_sync(), dispatch_uid="accounts.sync_roles", weak=False)
