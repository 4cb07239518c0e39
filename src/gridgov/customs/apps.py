from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomsConfig(AppConfig):
    name = "gridgov.customs"
    verbose_name = _("村规民约与移风易俗")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.customs import racing_metrics  # noqa: F401  (registers the horse race's metrics)
