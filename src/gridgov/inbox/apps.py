from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "gridgov.inbox"
    label = "inbox"
    verbose_name = _("消息与指令")

    def ready(self) -> None:
        from gridgov.inbox import notify

        # A bad GRIDGOV_NOTIFY_CHANNELS stops the start, naming itself.
        notify.channels()
