from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(AbstractUser):
    """A sign-in: a citizen (by phone), a company clerk, or a member of staff."""

    phone = models.CharField(_("手机号码"), max_length=20, unique=True, null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
