"""Supervision watches the case events for broken rules, inside their transaction."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from yimen.cases.models import CaseEvent
from yimen.oversight.services.supervision import violations_record


@receiver(post_save, sender=CaseEvent, dispatch_uid="oversight.supervision.case_event")
def case_event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        violations_record(instance)
