from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirConfig(AppConfig):
    name = "gridgov.air"
    verbose_name = _("大气监测")

    def ready(self) -> None:
        # Connects the receivers that empty the ingestion token cache when a station or a
        # gateway is saved or deleted in this process.
        from gridgov.air import overview_panels, stations  # noqa: F401

        overview_panels.register()
