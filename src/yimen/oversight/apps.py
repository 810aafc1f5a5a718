from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "yimen.oversight"
    verbose_name = _("监督")

    def ready(self):
        from yimen.oversight.receivers import (  # noqa: F401
            audit,
            exchange,
            privacy,
            ratings,
            stats,
            supervision,
        )
