from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "gridgov.projects"
    verbose_name = _("项目管理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.projects import racing_metrics  # noqa: F401  (registers the horse race's metrics)
