from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "yimen.worktime"
    verbose_name = _("工作日")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
