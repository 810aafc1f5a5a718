"""Every whole resident ID shown to a member of staff is appended to the audit chain.

The subjects app announces each one (`full_id_viewed`); the entry names who saw
whose ID and why, never the ID itself.
"""

from django.dispatch import receiver

from yimen.oversight.receivers.audit import account_ref
from yimen.oversight.services.audit import audit_append
from yimen.subjects.signals import full_id_viewed

FULL_ID_VIEWED = "full_id_viewed"


@receiver(full_id_viewed, dispatch_uid="oversight.privacy.full_id_viewed")
def full_id_shown(sender, viewer, subject, purpose: str, **kwargs):
    audit_append(
        kind=FULL_ID_VIEWED,
        actor=account_ref(viewer.pk),
        object_ref=f"subject:{subject.pk}",
        payload={"purpose": purpose},
    )
