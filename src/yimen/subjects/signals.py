"""Signals the subjects app sends for apps above it to act on.

`full_id_viewed(sender=Subject, viewer, subject, purpose)`: a member of staff was
shown a person's whole resident ID (their role needs it). Oversight appends each
one to the audit chain; subjects, below oversight, only announces it.
"""

from django.dispatch import Signal

full_id_viewed = Signal()
