"""When a case ends, its applicant is texted a one-time rating link.

The text goes out after the case's transaction has committed, so a rolled-back
completion sends nothing, and a failing SMS gateway never undoes the completion.
"""

import functools

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from yimen.cases.models import CaseEvent
from yimen.cases.states import TERMINAL, TRANSITIONS
from yimen.oversight.services.ratings import rating_invite_send

ENDING_ACTIONS = frozenset(a for a, (_sources, to) in TRANSITIONS.items() if to in TERMINAL)


@receiver(post_save, sender=CaseEvent, dispatch_uid="oversight.ratings.invite")
def invite_rating_when_case_ends(sender, instance: CaseEvent, created: bool, raw=False, **kwargs):
    if created and not raw and instance.action in ENDING_ACTIONS:
        send = functools.partial(rating_invite_send, case_id=instance.case_id)
        transaction.on_commit(send, robust=True)
