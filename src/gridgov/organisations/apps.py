from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "gridgov.organisations"
    verbose_name = _("新兴领域党建")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.organisations import racing_metrics  # noqa: F401  (registers the horse race's metrics)
