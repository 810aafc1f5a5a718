from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "yimen.subjects"
    verbose_name = _("主体与账号")
