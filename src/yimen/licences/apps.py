from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "yimen.licences"
    verbose_name = _("证照与印章")
