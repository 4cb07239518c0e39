from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gridgov.mediation"
    verbose_name = _("人民调解")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.mediation import racing_metrics  # noqa: F401  (registers the horse race's metrics)
