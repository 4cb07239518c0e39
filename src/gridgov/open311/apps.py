from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "gridgov.open311"
    verbose_name = _("Open311 接口")

    def ready(self) -> None:
        from gridgov.open311 import georeport
        from gridgov.web.middleware import register_refusal_format

        register_refusal_format("/open311/", georeport.refused)
