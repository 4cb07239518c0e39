from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirConfig(AppConfig):
    name = "gridgov.air"
    verbose_name = _("大气监测")

    def import_models(self) -> None:
        super().import_models()
        # air/models.py is at its 600 lines: further models live in their own modules, loaded
        # with the app's models: the factor series, the upkeep models (operators,
        # calibrations, maintenance issues), forwarding to upper platforms, tampering findings and
        # the raw packet archive's checkpoints, imported weather forecasts,
        # the months whose minute rows were retired.
        import_module("gridgov.air.factor_models")
        import_module("gridgov.air.upkeep_models")
        import_module("gridgov.air.forward_models")
        import_module("gridgov.air.tamper_models")
        import_module("gridgov.air.archive_models")
        import_module("gridgov.air.met_forecast_models")
        import_module("gridgov.air.forecast_models")
        import_module("gridgov.air.retention_models")

    def ready(self) -> None:
        # Connects the receivers that empty the ingestion token cache when a station or a
        # gateway is saved or deleted in this process.
        from gridgov.air import overview_panels, stations  # noqa: F401

        overview_panels.register()
        # Co-location (and tampering) humidity: the stations' own a01002 hours.
        from gridgov.air import colocation, tamper_data

        colocation.register_humidity_source(tamper_data.factor_humidity)
