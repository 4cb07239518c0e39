from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "gridgov.web"
    verbose_name = _("页面")

    def ready(self) -> None:
        from gridgov.core import pagecache

        pagecache.watch()  # writes drop the pages' kept figures
