from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gridgov.people"
    verbose_name = _("人员与账号")

    def ready(self) -> None:
        from gridgov.core.scopes import register_paths_source
        from gridgov.people import signals  # noqa: F401  (connects the receivers)
        from gridgov.people.roles import ensure_roles
        from gridgov.people.scope import scope_paths

        # Region.objects.for_user (territory, below this app) reads the paths through core.
        register_paths_source(scope_paths)

        # After the last app's migrations (every permission exists only then); idempotent.
        post_migrate.connect(ensure_roles, dispatch_uid="gridgov_ensure_roles")
