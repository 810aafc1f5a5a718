"""Sending SMS. Set `YIMEN_SMS_BACKEND` to the dotted path of an `SmsBackend` subclass
that reaches a real SMS gateway. In demo mode (YIMEN_DEMO=1) the default writes each
message to the log and to the demo outbox page (/demo/sms/), so a trial needs no gateway;
elsewhere, without a gateway, sign-in codes are not offered."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yimen.errors import IllegalAction
from yimen.subjects.masking import mask_phone
from yimen.subjects.models import SmsMessage

logger = logging.getLogger(__name__)

OUTBOX_BACKEND = "yimen.subjects.sms.OutboxBackend"


class SmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class OutboxBackend(SmsBackend):
    """Sends nothing: logs the message and keeps it in the demo outbox."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        SmsMessage.objects.create(phone=phone, text=text)


def get_backend() -> SmsBackend:
    if not settings.YIMEN_SMS_BACKEND:
        raise IllegalAction("sms_unavailable", _("本站尚未开通短信验证码，请使用密码登录。"))
    return import_string(settings.YIMEN_SMS_BACKEND)()


def outbox_enabled() -> bool:
    return settings.YIMEN_SMS_BACKEND == OUTBOX_BACKEND
