from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "gridgov.sources"
    verbose_name = _("污染源")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gridgov.air import factor_hooks
        from gridgov.sources import monitor_rules, monitor_sections, sections
        from gridgov.sources.monitor_models import SourceMonitor

        # The receiver hands this app every committed packet of a monitor's MN.
        factor_hooks.register(
            monitor_rules.on_factor_values, monitor_rules.watches, monitor_rules.reload_mns
        )
        post_save.connect(monitor_rules.clear_cache, sender=SourceMonitor, dispatch_uid="srcmon-s")
        post_delete.connect(
            monitor_rules.clear_cache, sender=SourceMonitor, dispatch_uid="srcmon-d"
        )
        sections.register(monitor_sections.monitors_section, order=15)
