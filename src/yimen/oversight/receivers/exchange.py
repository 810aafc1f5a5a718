"""A granted or revoked licence becomes a notice to every regulator subscribed to its item,
saved in the licence's own transaction (the outbox) and delivered by a background task once
that transaction commits (`yimen.oversight.tasks`).
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from yimen.licences.models import Licence
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.services.exchange import licence_notify


@receiver(post_save, sender=Licence, dispatch_uid="oversight.exchange.licence")
def licence_saved(sender, instance: Licence, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    if created:
        licence_notify(licence=instance, kind=OutboxMessage.Kind.GRANTED)
    if instance.revoked_at is not None:
        # Idempotent: a later save of a revoked licence adds no second notice.
        licence_notify(licence=instance, kind=OutboxMessage.Kind.REVOKED)
