from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "gridgov.inspections"
    verbose_name = _("巡查检查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.inspections import plugins

        plugins.register()
