from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "gridgov.people"
    verbose_name = "人员与账号"

    def ready(self) -> None:
        from gridgov.people import signals  # noqa: F401  (connects the receivers)
        from gridgov.people.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="gridgov_ensure_roles")
